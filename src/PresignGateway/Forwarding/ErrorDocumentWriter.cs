using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Sites;
using PresignGateway.Stores;

namespace PresignGateway.Forwarding;

/// <summary>
/// A site's own error page (<see cref="ErrorDocument"/>) for a client that gets the built-in HTML page otherwise (a
/// browser: <see cref="ProblemNegotiation"/>); everyone else keeps problem+json. The document is fetched from the
/// site's store like any object (presigned GET through the same URL cache and HTTP client, also for a redirect-mode
/// site), never through the gateway's own request flow, so a missing document can't ask for itself again. Only its
/// body and Content-Type reach the client (no x-oss-*/x-amz-* header, ETag or Last-Modified), with the error's status,
/// <c>Cache-Control: no-store</c>, nosniff and a Content-Security-Policy that lets the page use inline styles and
/// images from the same origin but load or run nothing else.
/// </summary>
/// <remarks>
/// A fetched document (or the failure to get one) is kept for <see cref="KeepFor"/>, one fetch at a time per site
/// and status, so a flood of 404s costs the store one request every half minute, not one each. At most
/// <see cref="MaxBytes"/> is read; a larger, missing or failing document gets the built-in page and a Warning, at
/// most once a minute per site and status.
/// </remarks>
internal sealed class ErrorDocumentWriter(SiteTableProvider sites, PresignedUrlCache cache, StorageInvoker invoker, TimeProvider time, ILogger<ErrorDocumentWriter> logger)
    : IProblemDetailsWriter
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Inline styles and same-origin or data: images for the operator's page; no script, frame, form or other load.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);
    private static readonly System.Buffers.SearchValues<char> CharsetCharacters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    private readonly ConditionalWeakTable<ErrorDocument, FetchSlot> _slots = new();
    private readonly ProblemPageWriter _builtIn = new();

    public bool CanWrite(ProblemDetailsContext context)
        => ProblemNegotiation.PrefersHtml(context.HttpContext.Request.Headers.Accept) && Find(context) is not null;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        HttpContext http = context.HttpContext;
        if (Find(context) is not (Site site, ErrorDocument document)
            || await GetAsync(site, document).WaitAsync(http.RequestAborted).ConfigureAwait(false) is not { } page)
        {
            await _builtIn.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        HttpResponse response = http.Response;
        response.ContentType = page.ContentType;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        if (ProblemResponses.IsHead(http))
        {
            return;
        }

        response.ContentLength = page.Body.Length;
        await response.Body.WriteAsync(page.Body, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The site of the request and its document for the error's status.</summary>
    private (Site, ErrorDocument)? Find(ProblemDetailsContext context)
    {
        HttpContext http = context.HttpContext;
        int status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        if (!ErrorDocument.Statuses.Contains(status))
        {
            return null;
        }

        return sites.Current.Match(http) is { } site && site.ErrorDocuments.TryGetValue(status, out ErrorDocument? document)
            ? (site, document)
            : null;
    }

    /// <summary>The kept page (or failure) while it is fresh; else one fetch, shared by every request that waits for it.</summary>
    private Task<ErrorPage?> GetAsync(Site site, ErrorDocument document)
    {
        FetchSlot slot = _slots.GetValue(document, static _ => new FetchSlot());
        long now = time.GetTimestamp();
        lock (slot)
        {
            if (slot.Fetch is null || (slot.Fetch.IsCompleted && time.GetElapsedTime(slot.FetchedAt, now) >= KeepFor))
            {
                slot.FetchedAt = now;
                slot.Fetch = FetchAsync(site, document, slot);
            }

            return slot.Fetch;
        }
    }

    private async Task<ErrorPage?> FetchAsync(Site site, ErrorDocument document, FetchSlot slot)
    {
        // Not the request's token: the fetch is shared, and a client that goes away must not fail it for the rest.
        using var timeout = new CancellationTokenSource(FetchTimeout, time);
        string failure;
        try
        {
            // The keys in force now, read once for the key and the signature; with none valid, the built-in page.
            StoreCredentials credentials = site.Store.CredentialSource.Current;
            var target = new PresignTarget(site.Store, credentials, PresignMethod.Get, document.Key, null, null, null);
            CachedPresignedUrl url = (await cache.GetAsync(target, time.GetUtcNow(), timeout.Token).ConfigureAwait(false)).Url;
            using var request = new HttpRequestMessage(HttpMethod.Get, url.RequestUri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
            using HttpResponseMessage response = await invoker.Invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
                {
                    // Perhaps a URL signed with rotated keys: the next fetch signs afresh.
                    await cache.EvictAsync(target, timeout.Token).ConfigureAwait(false);
                }

                failure = $"the store answered {(int)response.StatusCode}";
            }
            else if (response.Content.Headers.ContentLength > MaxBytes)
            {
                failure = $"it is larger than {MaxBytes} bytes";
            }
            else if (await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false) is not { } body)
            {
                failure = $"it is larger than {MaxBytes} bytes";
            }
            else
            {
                return new ErrorPage(body, ContentTypeOf(response.Content.Headers.ContentType));
            }
        }
        catch (OperationCanceledException)
        {
            failure = $"the store did not answer within {FetchTimeout.TotalSeconds:0} s";
        }
        catch (CredentialsUnavailableException)
        {
            failure = "the store's credentials are not available";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidPresignRequestException)
        {
            failure = "the store could not be reached or the key could not be signed";
        }

        long now = time.GetTimestamp();
        if (slot.WarnedAt == 0 || time.GetElapsedTime(slot.WarnedAt, now) >= WarningInterval)
        {
            slot.WarnedAt = now;
            Log.ErrorDocumentUnavailable(logger, document.Status, site.Name, failure);
        }

        return null;
    }

    /// <summary>The body, or null when it runs past <see cref="MaxBytes"/> (read in chunks, never more than that plus one chunk).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream();
            byte[] chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > MaxBytes)
                {
                    return null;
                }

                body.Write(chunk, 0, read);
            }

            return body.ToArray();
        }
    }

    /// <summary>
    /// The document's own type when it is a page (HTML, XHTML or plain text), with its charset when that is a plain
    /// token; anything else is served as HTML. Rebuilt from the parts, so no other parameter (nor a byte Kestrel would
    /// refuse in a header) comes along.
    /// </summary>
    private static string ContentTypeOf(MediaTypeHeaderValue? stored)
    {
        string? mediaType = stored?.MediaType;
        if (mediaType is null || !(mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase)))
        {
            return "text/html; charset=utf-8";
        }

        string? charset = stored!.CharSet?.Trim('"');
        return charset is { Length: > 0 and <= 40 } && charset.AsSpan().IndexOfAnyExcept(CharsetCharacters) < 0
            ? $"{mediaType.ToLowerInvariant()}; charset={charset}"
            : mediaType.ToLowerInvariant();
    }

    /// <summary>What was fetched for one site and status; guarded by its own lock.</summary>
    private sealed class FetchSlot
    {
        public Task<ErrorPage?>? Fetch { get; set; }

        public long FetchedAt { get; set; }

        public long WarnedAt { get; set; }
    }

    private sealed record ErrorPage(byte[] Body, string ContentType);
}
