using PresignGateway.Presigning;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Forwarding;

/// <summary>What the transformer needs to know about the download in flight; set on the HttpContext's features.</summary>
internal sealed class DownloadExchange
{
    public required CachedPresignedUrl SignedUrl { get; init; }

    public required PresignMethod Method { get; init; }

    public required string ContentDisposition { get; init; }

    public required string? CacheControl { get; init; }

    /// <summary>Of the 404 for a missing object (the site's NotFoundCacheControl).</summary>
    public string NotFoundCacheControl { get; init; } = "no-store";

    /// <summary>For inline downloads: keeps active content from running (see <see cref="DownloadHeaders.GuardInline"/>).</summary>
    public InlineGuard Inline { get; init; }

    public required Store Store { get; init; }

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
}
