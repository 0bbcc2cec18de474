using PresignGateway.Responses;
using Yarp.ReverseProxy.Forwarder;

namespace PresignGateway.Forwarding;

/// <summary>
/// Every status decision of a download in one place: what the client gets for the store's status, for a refusal and
/// for a forwarder error, and the outcome label the metrics and the span record for the finished request.
/// </summary>
internal static class DownloadStatus
{
    /// <summary>What the client gets for the store's status (a 4xx other than 404, 412 and 416 is read further first).</summary>
    public static StoreAnswer ForStore(int storeStatus) => storeStatus switch
    {
        StatusCodes.Status200OK or StatusCodes.Status206PartialContent or StatusCodes.Status304NotModified => new(StoreAnswerKind.Download, storeStatus, null),
        StatusCodes.Status416RangeNotSatisfiable => new(StoreAnswerKind.RangeNotSatisfiable, storeStatus, null),
        StatusCodes.Status412PreconditionFailed => new(StoreAnswerKind.Problem, storeStatus, "The file has changed since the version the request names."),
        StatusCodes.Status404NotFound => new(StoreAnswerKind.Problem, storeStatus, "No object at this path."),
        >= 400 and < 500 => new(StoreAnswerKind.Refusal, 0, null),
        >= 500 => new(StoreAnswerKind.StoreFailed, StatusCodes.Status502BadGateway, "The storage service failed to answer."),
        _ => new(StoreAnswerKind.Unexpected, StatusCodes.Status502BadGateway, "The storage service gave an unexpected answer."),
    };

    /// <summary>What the client is told for a refusal the gateway does not retry (or no longer retries).</summary>
    public static (int Status, string Detail) ForRefusal(StorageRefusal refusal, int clientStatus) => refusal switch
    {
        StorageRefusal.Denied or StorageRefusal.Unexplained => (StatusCodes.Status403Forbidden, "The storage service denied access to this object."),
        StorageRefusal.ClientRequest => clientStatus switch
        {
            StatusCodes.Status431RequestHeaderFieldsTooLarge => (clientStatus, "The request's headers are too large for the storage service."),
            StatusCodes.Status414UriTooLong => (clientStatus, "The object path is too long for the storage service."),
            _ => (clientStatus, "The storage service refused the request as sent (its headers or its path)."),
        },
        StorageRefusal.Credentials => (StatusCodes.Status502BadGateway, "The storage service refused the gateway's credentials."),
        _ => (StatusCodes.Status502BadGateway, "The storage service refused the gateway's request."),
    };

    /// <summary>True when YARP's error is the client going away, which is no error of the gateway's.</summary>
    public static bool IsClientAbort(ForwarderError error)
        => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled;

    /// <summary>What the client is told when the store could not be asked (not for <see cref="IsClientAbort"/>).</summary>
    public static (int Status, string Detail) ForForwarderError(ForwarderError error) => error == ForwarderError.RequestTimedOut
        ? (StatusCodes.Status504GatewayTimeout, "The storage service did not answer in time.")
        : (StatusCodes.Status502BadGateway, "The storage service could not be reached.");

    /// <summary>The outcome label of a finished request.</summary>
    /// <param name="status">The status the client got.</param>
    /// <param name="body">How streaming the body ended; null when the gateway did not stream one.</param>
    /// <param name="unanswered">The client aborted before any of the answer was sent.</param>
    /// <param name="storeRefused">The store refused the request (rather than the gateway).</param>
    public static string Outcome(int status, BodyCopyOutcome? body, bool unanswered, bool storeRefused) => body switch
    {
        BodyCopyOutcome.StoreFailed => "storage_error",
        BodyCopyOutcome.StoreStalled => "storage_timeout",
        BodyCopyOutcome.ClientGone => "client_aborted",
        // A client that closes the connection once it has the whole answer did not abort anything: only an answer
        // never started counts (a completed body is judged by its status below).
        null when unanswered => "client_aborted",
        // Told apart from the gateway's own 403s: a role that lost GetObject shows here, not as a gateway failure.
        _ when status == StatusCodes.Status403Forbidden && storeRefused => "storage_denied",
        _ => Outcome(status),
    };

    private static string Outcome(int status) => status switch
    {
        200 or 206 or 304 => "success",
        302 => "redirect",
        404 => "not_found",
        405 => "method_not_allowed",
        416 or 412 => "precondition",
        403 => "forbidden",
        421 => "unknown_host",
        429 => "rate_limited",
        502 => "storage_error",
        504 => "storage_timeout",
        >= 400 and < 500 => "bad_request",
        _ => "other",
    };
}
