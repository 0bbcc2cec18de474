using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace PresignGateway.Responses;

/// <summary>
/// The error as a small HTML page, for a client that prefers HTML (<see cref="ProblemNegotiation"/>): a browser
/// following a stale link shows the status and our one-sentence detail instead of a raw JSON line. Nothing else is on
/// the page (no store, bucket, key or URL), it loads nothing, and its Content-Security-Policy allows only its own
/// inline style, by hash; the viewport meta keeps it readable on a phone.
/// </summary>
internal sealed class ProblemPageWriter : IProblemDetailsWriter
{
    private const string Style =
        ":root{color-scheme:light dark}body{font:1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:0 auto;padding:2rem 1rem}h1{font-size:1.5rem;margin:0 0 .5rem}";

    /// <summary>Nothing may load, run, frame the page or be submitted from it; the style is allowed by its hash alone.</summary>
    internal static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public bool CanWrite(ProblemDetailsContext context) => ProblemNegotiation.PrefersHtml(context.HttpContext.Request.Headers.Accept);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        HttpResponse response = context.HttpContext.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (ProblemResponses.IsHead(context.HttpContext))
        {
            return ValueTask.CompletedTask;
        }

        byte[] body = Encoding.UTF8.GetBytes(Render(context.ProblemDetails.Status ?? response.StatusCode, context.ProblemDetails.Title, context.ProblemDetails.Detail));
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body.AsMemory(), context.HttpContext.RequestAborted);
    }

    /// <summary>The page; every text in it is HTML-encoded, though the details are our own sentences.</summary>
    internal static string Render(int status, string? title, string? detail)
    {
        HtmlEncoder html = HtmlEncoder.Default;
        string heading = html.Encode(string.IsNullOrEmpty(title) ? $"Error {status}" : $"{status} {title}");
        return new StringBuilder(640)
            .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"robots\" content=\"noindex\">\n")
            .Append("<title>").Append(heading).Append("</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n")
            .Append("</head>\n<body>\n<h1>").Append(heading).Append("</h1>\n")
            .Append("<p>").Append(html.Encode(detail ?? "")).Append("</p>\n")
            .Append("</body>\n</html>\n")
            .ToString();
    }
}
