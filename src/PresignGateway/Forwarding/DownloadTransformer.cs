using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using PresignGateway.Diagnostics;
using PresignGateway.Responses;
using PresignGateway.Signing;
using Yarp.ReverseProxy.Forwarder;

namespace PresignGateway.Forwarding;

/// <summary>
/// Shapes the request to the store and the response to the client; one instance serves every request.
/// The request goes to exactly the URL that was signed: YARP would rebuild it from the path and re-encode it
/// (<c>%2F</c> becomes <c>%252F</c>), which breaks the signature.
/// </summary>
internal sealed class DownloadTransformer(TimeProvider time, GatewayMetrics metrics, ResponseBodyCopier bodyCopier, ILogger<DownloadTransformer> logger) : HttpTransformer
{
    /// <summary>How long the store may take to send a 4xx's error body before the gateway decides without it.</summary>
    private static readonly TimeSpan ErrorBodyTimeout = TimeSpan.FromSeconds(2);

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        DownloadExchange exchange = DownloadExchange.Of(httpContext);
        proxyRequest.RequestUri = exchange.SignedUrl.RequestUri;
        proxyRequest.Method = exchange.Method == PresignMethod.Head ? HttpMethod.Head : HttpMethod.Get;
        // The headers start empty (no base call), then get the allow-list. A body sent with GET never gets here:
        // the endpoint tells YARP the request has none.
        proxyRequest.Headers.Host = null;
        DownloadHeaders.CopyRequestHeaders(httpContext.Request, proxyRequest);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            // The store did not answer; the handler maps the forwarder error.
            return false;
        }

        DownloadExchange exchange = DownloadExchange.Of(httpContext);
        exchange.UpstreamStatus = (int)proxyResponse.StatusCode;
        metrics.UpstreamDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(exchange.StartedTimestamp).TotalSeconds);
        // Read the raw value: the typed Date property parses it into a boxed DateTimeOffset on every response.
        if (proxyResponse.Headers.NonValidated.TryGetValues(HeaderNames.Date, out HeaderStringValues dates)
            && DateTimeOffset.TryParseExact(dates.ToString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset storeDate))
        {
            exchange.Store.Clock.Observe(storeDate, exchange.Now);
        }

        HttpResponse response = httpContext.Response;
        int status = (int)proxyResponse.StatusCode;
        StoreAnswer answer = DownloadStatus.ForStore(status);
        switch (answer.Kind)
        {
            case StoreAnswerKind.Download:
                response.StatusCode = status;
                DownloadHeaders.CopyResponseHeaders(proxyResponse, response, exchange.CacheControl);
                response.Headers.ContentDisposition = exchange.ContentDisposition;
                DownloadHeaders.GuardInline(response.Headers, exchange.Inline);
                response.Headers.XContentTypeOptions = "nosniff";
                if (status != StatusCodes.Status304NotModified && exchange.Method == PresignMethod.Get)
                {
                    // The body is streamed here rather than by YARP (see ResponseBodyCopier); returning false then
                    // tells YARP there is nothing left to copy.
                    exchange.BodyOutcome = await bodyCopier.CopyAsync(proxyResponse.Content, response, exchange, cancellationToken, httpContext.RequestAborted).ConfigureAwait(false);
                }

                return false;

            case StoreAnswerKind.RangeNotSatisfiable:
                await ProblemResponses.WriteRangeNotSatisfiableAsync(
                    httpContext, proxyResponse.Content.Headers.TryGetValues("Content-Range", out IEnumerable<string>? range) ? string.Join(",", range) : null).ConfigureAwait(false);
                return false;

            case StoreAnswerKind.Refusal:
                // Nothing is written yet: the forwarding stage may evict the URL and try once more, or answers the refusal.
                await ClassifyRefusalAsync(httpContext, proxyResponse, exchange, status, cancellationToken).ConfigureAwait(false);
                return false;

            case StoreAnswerKind.StoreFailed:
                Log.StorageFailed(logger, exchange.Store.Name, status, exchange.Site, AccessLog.PathOf(httpContext), AccessLog.TraceIdOf(httpContext));
                break;

            case StoreAnswerKind.Unexpected:
                Log.StorageUnexpected(logger, exchange.Store.Name, status, exchange.Site, AccessLog.PathOf(httpContext), AccessLog.TraceIdOf(httpContext));
                break;
        }

        if (status == StatusCodes.Status404NotFound && exchange.DeferNotFound)
        {
            // The endpoint answers it: a redirect to the directory, or this 404.
            return false;
        }

        // A missing object's 404 may be cached as the site says (NotFoundCacheControl); every other error is no-store.
        await (status == StatusCodes.Status404NotFound
            ? ProblemResponses.WriteNotFoundAsync(httpContext, answer.Detail!, exchange.NotFoundCacheControl)
            : ProblemResponses.WriteAsync(httpContext, answer.ClientStatus, answer.Detail!)).ConfigureAwait(false);
        return false;
    }

    private async ValueTask ClassifyRefusalAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, DownloadExchange exchange, int status, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StorageErrors.MaxBodyBytes);
        try
        {
            // Only 400, 401 and 403 need the code; the rest are decided by their status.
            int length = status is StatusCodes.Status400BadRequest or StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden
                ? await ReadErrorBodyAsync(proxyResponse.Content, buffer, cancellationToken).ConfigureAwait(false)
                : 0;
            string? ossErrorCode = proxyResponse.Headers.NonValidated.TryGetValues("x-oss-ec", out HeaderStringValues ec) ? ec.ToString() : null;
            exchange.Refusal = StorageErrors.Classify(status, buffer.AsSpan(0, length), ossErrorCode, SentClientHeaders(httpContext.Request), out int clientStatus, out string code);
            exchange.RefusalClientStatus = clientStatus;
            exchange.RefusalCode = code;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads at most the buffer's worth of an error body, for at most <see cref="ErrorBodyTimeout"/>; what it got when either runs out.</summary>
    private async ValueTask<int> ReadErrorBodyAsync(HttpContent content, byte[] buffer, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ErrorBodyTimeout, time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int length = 0;
        try
        {
            Stream body = await content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            int read;
            while (length < StorageErrors.MaxBodyBytes && (read = await body.ReadAsync(buffer.AsMemory(length, StorageErrors.MaxBodyBytes - length), linked.Token).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // A slow, cut or broken error body: classify by what arrived (the code comes first) and the status.
        }

        return length;
    }

    private static bool SentClientHeaders(HttpRequest request)
    {
        foreach (string name in DownloadHeaders.ForwardedRequestHeaders)
        {
            if (request.Headers.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }
}
