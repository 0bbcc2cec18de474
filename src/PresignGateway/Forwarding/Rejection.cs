using PresignGateway.Responses;

namespace PresignGateway.Forwarding;

/// <summary>A request turned away before the store is asked: the status and the problem detail the client gets.</summary>
internal readonly record struct Rejection(int Status, string Detail, long? RetryAfterSeconds = null)
{
    public Task WriteAsync(HttpContext context) => ProblemResponses.WriteAsync(context, Status, Detail, RetryAfterSeconds);
}
