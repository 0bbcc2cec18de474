using PresignGateway.Forwarding;
using PresignGateway.Responses;
using Yarp.ReverseProxy.Forwarder;

namespace PresignGateway.Tests.Forwarding;

/// <summary>The one status table: store status, refusal and forwarder error to client status, finished request to outcome label.</summary>
public sealed class DownloadStatusTests
{
    public static TheoryData<int, string, int> StoreStatuses() => new()
    {
        { 200, nameof(StoreAnswerKind.Download), 200 },
        { 206, nameof(StoreAnswerKind.Download), 206 },
        { 304, nameof(StoreAnswerKind.Download), 304 },
        { 416, nameof(StoreAnswerKind.RangeNotSatisfiable), 416 },
        { 412, nameof(StoreAnswerKind.Problem), 412 },
        { 404, nameof(StoreAnswerKind.Problem), 404 },
        { 403, nameof(StoreAnswerKind.Refusal), 0 },
        { 400, nameof(StoreAnswerKind.Refusal), 0 },
        { 500, nameof(StoreAnswerKind.StoreFailed), 502 },
        { 503, nameof(StoreAnswerKind.StoreFailed), 502 },
        { 301, nameof(StoreAnswerKind.Unexpected), 502 },
        { 204, nameof(StoreAnswerKind.Unexpected), 502 },
    };

    [Theory]
    [MemberData(nameof(StoreStatuses))]
    public void The_store_status_decides_the_client_answer(int storeStatus, string kind, int clientStatus)
    {
        StoreAnswer answer = DownloadStatus.ForStore(storeStatus);

        Assert.Equal(Enum.Parse<StoreAnswerKind>(kind), answer.Kind);
        Assert.Equal(clientStatus, answer.ClientStatus);
        Assert.Equal(answer.Kind is StoreAnswerKind.Download or StoreAnswerKind.RangeNotSatisfiable or StoreAnswerKind.Refusal, answer.Detail is null);
    }

    public static TheoryData<string, int, int> Answers() => new()
    {
        { nameof(StorageRefusal.Denied), 403, 403 },
        { nameof(StorageRefusal.Unexplained), 403, 403 },
        { nameof(StorageRefusal.Credentials), 403, 502 },
        { nameof(StorageRefusal.GatewayRequest), 400, 502 },
        { nameof(StorageRefusal.ClientRequest), 431, 431 },
        { nameof(StorageRefusal.ClientRequest), 400, 400 },
        { nameof(StorageRefusal.ClientRequest), 414, 414 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void The_client_is_told_whose_refusal_it_was(string refusal, int clientStatus, int expected)
    {
        (int status, string detail) = DownloadStatus.ForRefusal(Enum.Parse<StorageRefusal>(refusal), clientStatus);

        Assert.Equal(expected, status);
        Assert.EndsWith(".", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(ForwarderError.RequestTimedOut), 504)]
    [InlineData(nameof(ForwarderError.Request), 502)]
    [InlineData(nameof(ForwarderError.ResponseHeaders), 502)]
    public void A_store_that_cannot_be_asked_is_a_gateway_error(string error, int expected)
    {
        ForwarderError parsed = Enum.Parse<ForwarderError>(error);

        Assert.False(DownloadStatus.IsClientAbort(parsed));
        Assert.Equal(expected, DownloadStatus.ForForwarderError(parsed).Status);
    }

    [Theory]
    [InlineData(200, null, false, false, "success")]
    [InlineData(206, "Completed", false, false, "success")]
    [InlineData(302, null, false, false, "redirect")]
    [InlineData(200, "StoreFailed", false, false, "storage_error")]
    [InlineData(200, "StoreStalled", false, false, "storage_timeout")]
    [InlineData(200, "ClientGone", false, false, "client_aborted")]
    [InlineData(200, null, true, false, "client_aborted")]
    [InlineData(403, null, false, true, "storage_denied")]
    [InlineData(403, null, false, false, "forbidden")]
    [InlineData(404, null, false, false, "not_found")]
    [InlineData(405, null, false, false, "method_not_allowed")]
    [InlineData(412, null, false, false, "precondition")]
    [InlineData(421, null, false, false, "unknown_host")]
    [InlineData(429, null, false, false, "rate_limited")]
    [InlineData(400, null, false, false, "bad_request")]
    [InlineData(502, null, false, false, "storage_error")]
    [InlineData(504, null, false, false, "storage_timeout")]
    [InlineData(500, null, false, false, "other")]
    public void A_finished_request_gets_one_outcome_label(int status, string? body, bool unanswered, bool storeRefused, string expected)
    {
        BodyCopyOutcome? outcome = body is null ? null : Enum.Parse<BodyCopyOutcome>(body);

        Assert.Equal(expected, DownloadStatus.Outcome(status, outcome, unanswered, storeRefused));
    }
}
