using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PresignGateway.Responses;

/// <summary>
/// <c>application/problem+json</c> with exactly type, title, status and detail, for every client that doesn't prefer
/// HTML. It accepts any <c>Accept</c> (the framework's writer refuses, say, <c>image/*</c>, and an error must still
/// be answered), and it adds no <c>traceId</c>, so the body stays what clients have always parsed.
/// </summary>
internal sealed class ProblemJsonWriter : IProblemDetailsWriter
{
    // The body is JSON served with nosniff, never HTML, so quotes and apostrophes in details can stay readable.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        HttpResponse response = context.HttpContext.Response;
        response.ContentType = "application/problem+json";
        if (ProblemResponses.IsHead(context.HttpContext))
        {
            return ValueTask.CompletedTask;
        }

        var problem = context.ProblemDetails;
        string json = new StringBuilder(160)
            .Append("{\"type\":").Append(JsonString(problem.Type ?? ProblemResponses.AboutBlank))
            .Append(",\"title\":").Append(JsonString(problem.Title ?? ""))
            .Append(",\"status\":").Append(problem.Status ?? response.StatusCode)
            .Append(",\"detail\":").Append(JsonString(problem.Detail ?? ""))
            .Append('}')
            .ToString();
        byte[] body = Encoding.UTF8.GetBytes(json);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body.AsMemory(), context.HttpContext.RequestAborted);
    }

    private static string JsonString(string text) => JsonSerializer.Serialize(text, JsonOptions);
}
