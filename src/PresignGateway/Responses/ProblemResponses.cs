using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace PresignGateway.Responses;

/// <summary>
/// Short <c>application/problem+json</c> answers. The detail is always a fixed sentence of ours, never text from
/// the store, a URL, a key id or a signature; errors are never cached.
/// </summary>
internal static class ProblemResponses
{
    /// <param name="retryAfterSeconds">For a 429 or 503: the Retry-After header's value.</param>
    public static Task WriteAsync(HttpContext context, int status, string detail, long? retryAfterSeconds = null)
    {
        HttpResponse response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentType = "application/problem+json";
        if (status == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = "GET, HEAD";
        }

        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Exactly HEAD: another spelling ("head") is a different method to Kestrel and gets its body.
        if (string.Equals(context.Request.Method, HttpMethods.Head, StringComparison.Ordinal))
        {
            return Task.CompletedTask;
        }

        var json = new StringBuilder(128)
            .Append("{\"type\":\"about:blank\",\"title\":")
            .Append(JsonString(ReasonPhrases.GetReasonPhrase(status)))
            .Append(",\"status\":").Append(status)
            .Append(",\"detail\":").Append(JsonString(detail))
            .Append('}');
        return response.WriteAsync(json.ToString(), context.RequestAborted);
    }

    // The body is JSON served with nosniff, never HTML, so quotes and apostrophes in details can stay readable.
    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string JsonString(string text) => System.Text.Json.JsonSerializer.Serialize(text, JsonOptions);
}
