using System.Diagnostics;
using PresignGateway.Diagnostics;

namespace PresignGateway.Forwarding;

/// <summary>Records a finished download in the metrics and on its span; the label comes from <see cref="DownloadStatus.Outcome"/>.</summary>
internal sealed class DownloadOutcomes(GatewayMetrics metrics)
{
    public void Record(HttpContext context, Activity? activity, DownloadLabels labels)
    {
        int status = context.Response.StatusCode;
        DownloadExchange? exchange = DownloadExchange.Find(context);
        BodyCopyOutcome? body = exchange?.BodyOutcome;
        bool aborted = context.RequestAborted.IsCancellationRequested;
        string outcome = DownloadStatus.Outcome(status, body, aborted && !context.Response.HasStarted, exchange?.Refusal is not null);
        metrics.Requests.Add(1, new TagList { { "site", labels.Site }, { "mode", labels.Mode }, { "outcome", outcome } });
        bool bodyDelivered = body is null or BodyCopyOutcome.Completed;
        if (!aborted && bodyDelivered && status is 200 or 206 && context.Response.ContentLength is { } length && !HttpMethods.IsHead(context.Request.Method))
        {
            metrics.ResponseBytes.Add(length, new TagList { { "site", labels.Site } });
            activity?.SetTag("presign_gateway.bytes_sent", length);
        }

        activity?.SetTag("http.response.status_code", status);
        activity?.SetTag("presign_gateway.outcome", outcome);
    }
}
