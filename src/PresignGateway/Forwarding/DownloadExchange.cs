using Microsoft.AspNetCore.Http.Features;
using PresignGateway.Presigning;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Forwarding;

/// <summary>
/// The download in flight between <see cref="StoreForwarding"/> and <see cref="DownloadTransformer"/>. YARP hands a
/// transformer nothing but the HttpContext, so the exchange travels as a feature of it: this type alone puts it
/// there (<see cref="Attach"/>) and finds it (<see cref="Of"/>, <see cref="Find"/>). The forwarding stage sets the
/// inputs (init-only); the transformer writes the results (the settable properties), which the forwarding stage and
/// the outcome read once YARP is done. One instance per attempt, never shared between requests.
/// </summary>
internal sealed class DownloadExchange
{
    /// <summary>Makes this the exchange of the request's next attempt at the store.</summary>
    public void Attach(HttpContext context) => context.Features.Set(this);

    /// <summary>The exchange of the request being forwarded; only the transformer calls this, inside YARP's SendAsync.</summary>
    public static DownloadExchange Of(HttpContext context) => context.Features.GetRequiredFeature<DownloadExchange>();

    /// <summary>The last attempt's exchange, or null when the request never reached the store.</summary>
    public static DownloadExchange? Find(HttpContext context) => context.Features.Get<DownloadExchange>();

    public required CachedPresignedUrl SignedUrl { get; init; }

    public required PresignMethod Method { get; init; }

    public required string ContentDisposition { get; init; }

    public required string? CacheControl { get; init; }

    /// <summary>Of the 404 for a missing object (the site's NotFoundCacheControl).</summary>
    public string NotFoundCacheControl { get; init; } = "no-store";

    /// <summary>Leave a 404 unanswered: the endpoint may answer it with an append-slash redirect.</summary>
    public bool DeferNotFound { get; init; }

    /// <summary>For inline downloads: keeps active content from running (see <see cref="DownloadHeaders.GuardInline"/>).</summary>
    public InlineGuard Inline { get; init; }

    public required Store Store { get; init; }

    /// <summary>The site's name, for the store-failure log lines.</summary>
    public string Site { get; init; } = "";

    /// <summary>The request's time on our clock, read once when it arrived.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>When the request to the store was handed to YARP (a Stopwatch timestamp).</summary>
    public long StartedTimestamp { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>The store's status, for the download span and the metrics.</summary>
    public int UpstreamStatus { get; set; }

    /// <summary>What the store's 4xx said (see <see cref="StorageErrors"/>); nothing was written to the client then.</summary>
    public StorageRefusal? Refusal { get; set; }

    /// <summary>With <see cref="Refusal"/>: the status a refused client request is answered with.</summary>
    public int RefusalClientStatus { get; set; }

    /// <summary>With <see cref="Refusal"/>: the store's error code as one of our log labels, never the store's text.</summary>
    public string RefusalCode { get; set; } = StorageErrors.NoCode;

    /// <summary>How streaming the body ended; null when there was no body to stream.</summary>
    public BodyCopyOutcome? BodyOutcome { get; set; }

    /// <summary>Body bytes the streaming copy handed to the client (the access log's bytes sent).</summary>
    public long BytesSent { get; set; }
}
