using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace PresignGateway.Responses;

/// <summary>
/// The gateway's error answers, written through ASP.NET Core's <see cref="IProblemDetailsService"/>: a small HTML page
/// for a client that prefers HTML (a browser), <c>application/problem+json</c> for everyone else. The detail is always
/// a fixed sentence of ours, never text from the store, a URL, a key id or a signature; errors are never cached, except
/// a missing object's 404 when the site's NotFoundCacheControl allows it.
/// </summary>
internal static class ProblemResponses
{
    /// <summary>The problem type of every answer: the status says it all (RFC 9457, 4.2.1).</summary>
    public const string AboutBlank = "about:blank";

    /// <param name="retryAfterSeconds">For a 429 or 503: the Retry-After header's value.</param>
    public static Task WriteAsync(HttpContext context, int status, string detail, long? retryAfterSeconds = null)
        => WriteCoreAsync(context, status, detail, retryAfterSeconds, contentRange: null);

    /// <summary>The 404 for a missing object, with the site's NotFoundCacheControl (a CDN may keep it a little while).</summary>
    public static Task WriteNotFoundAsync(HttpContext context, string detail, string cacheControl)
        => WriteCoreAsync(context, StatusCodes.Status404NotFound, detail, null, contentRange: null, cacheControl);

    /// <summary>A 416, keeping the store's <c>Content-Range: bytes */N</c> so a client learns the object's size.</summary>
    public static Task WriteRangeNotSatisfiableAsync(HttpContext context, string? contentRange)
        => WriteCoreAsync(context, StatusCodes.Status416RangeNotSatisfiable, "The requested byte range is outside the file.", null, contentRange);

    /// <summary>Exactly HEAD: another spelling ("head") is a different method to Kestrel and gets its body.</summary>
    internal static bool IsHead(HttpContext context) => string.Equals(context.Request.Method, HttpMethods.Head, StringComparison.Ordinal);

    private static Task WriteCoreAsync(HttpContext context, int status, string detail, long? retryAfterSeconds, string? contentRange, string cacheControl = "no-store")
    {
        HttpResponse response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.Headers.CacheControl = cacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        if (status == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = "GET, HEAD";
        }

        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (contentRange is not null)
        {
            response.Headers.ContentRange = contentRange;
        }

        var problem = new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Type = AboutBlank, Title = ReasonPhrases.GetReasonPhrase(status), Status = status, Detail = detail },
        };
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(problem).AsTask();
    }
}
