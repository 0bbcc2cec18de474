using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using PresignGateway.Sites;

namespace PresignGateway.Responses;

/// <summary>
/// The allow-lists between client and store. Only download headers cross: nothing else of the client's (no Host,
/// Authorization, Cookie or X-Forwarded-*) reaches the store, and nothing else of the store's (no x-oss-*, x-amz-*,
/// Server, Set-Cookie) reaches the client.
/// </summary>
internal static class DownloadHeaders
{
    /// <summary>Conditional and range headers a download needs; none of them is signed, so forwarding them is safe.</summary>
    public static readonly string[] ForwardedRequestHeaders =
    [
        HeaderNames.Range, HeaderNames.IfRange, HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince,
    ];

    public static void CopyRequestHeaders(HttpRequest request, HttpRequestMessage proxyRequest)
    {
        IHeaderDictionary headers = request.Headers;
        foreach (string name in ForwardedRequestHeaders)
        {
            StringValues value = headers[name];
            if (!StringValues.IsNullOrEmpty(value))
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value);
            }
        }
    }

    /// <summary>Copies the store's download headers; Cache-Control is the site's when it sets one.</summary>
    public static void CopyResponseHeaders(HttpResponseMessage storeResponse, HttpResponse response, string? siteCacheControl)
    {
        IHeaderDictionary headers = response.Headers;
        HttpContentHeaders content = storeResponse.Content.Headers;
        HttpResponseHeaders store = storeResponse.Headers;

        if (content.ContentLength is { } length)
        {
            headers.ContentLength = length;
        }

        CopyIfPresent(content, HeaderNames.ContentType, headers);
        CopyIfPresent(content, HeaderNames.ContentRange, headers);
        CopyIfPresent(content, HeaderNames.ContentEncoding, headers);
        CopyIfPresent(content, HeaderNames.ContentLanguage, headers);
        CopyIfPresent(content, HeaderNames.LastModified, headers);
        CopyIfPresent(content, HeaderNames.Expires, headers);
        CopyIfPresent(store, HeaderNames.ETag, headers);
        CopyIfPresent(store, HeaderNames.AcceptRanges, headers);
        if (siteCacheControl is not null)
        {
            headers.CacheControl = siteCacheControl;
        }
        else
        {
            CopyIfPresent(store, HeaderNames.CacheControl, headers);
        }
    }

    /// <summary>
    /// For an inline response: active content (by name, or by the Content-Type just copied) falls back to attachment
    /// when only the query asked for inline, and is sandboxed when the site serves inline, so it can't run script
    /// with the download domain's origin.
    /// </summary>
    public static void GuardInline(IHeaderDictionary headers, InlineGuard guard)
    {
        if (!guard.Inline || (!guard.ActiveName && !ActiveContent.IsActiveType(headers.ContentType)))
        {
            return;
        }

        if (guard.AttachmentFallback is { } attachment)
        {
            headers.ContentDisposition = attachment;
        }
        else
        {
            headers.ContentSecurityPolicy = "sandbox";
        }
    }

    private static void CopyIfPresent(HttpHeaders source, string name, IHeaderDictionary destination)
    {
        if (source.NonValidated.TryGetValues(name, out HeaderStringValues values))
        {
            // Kestrel refuses control and non-ASCII characters in response headers; a store that sends them loses the header, not the download.
            string value = values.ToString();
            if (IsSafeHeaderValue(value))
            {
                destination[name] = value;
            }
        }
    }

    private static bool IsSafeHeaderValue(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' and not '\t' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
