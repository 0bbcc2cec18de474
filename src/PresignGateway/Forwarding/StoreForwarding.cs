using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Sites;
using Yarp.ReverseProxy.Forwarder;

namespace PresignGateway.Forwarding;

/// <summary>
/// The proxy stage: streams the object from the store through YARP (the transformer shapes both ways), retries once
/// with a fresh signature when the store refuses a cached URL's credentials, and answers what went wrong.
/// </summary>
internal sealed class StoreForwarding
{
    // Only used by YARP to build a URI that the transformer then replaces with the signed one.
    private const string PlaceholderDestination = "http://store.invalid/";

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly DownloadTransformer _transformer;
    private readonly PresignedUrlCache _cache;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<StoreForwarding> _logger;
    // Replaced by a reload of Gateway:Upstream:ResponseHeadersTimeout; a request reads it once.
    private volatile ForwarderRequestConfig _requestConfig;

    public StoreForwarding(
        IHttpForwarder forwarder, StorageInvoker invoker, DownloadTransformer transformer, PresignedUrlCache cache, GatewayMetrics metrics,
        OptionsInForce options, ILogger<StoreForwarding> logger)
    {
        _forwarder = forwarder;
        _invoker = invoker.Invoker;
        _transformer = transformer;
        _cache = cache;
        _metrics = metrics;
        _logger = logger;
        _requestConfig = RequestConfig(options.Current);
        options.Subscribe(inForce => _requestConfig = RequestConfig(inForce));
    }

    /// <param name="deferNotFound">True leaves the store's 404 unanswered (the result is then true), for append-slash.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ForwardAsync(
        HttpContext context, Site site, PresignTarget target, CachedPresignedUrl url, string disposition, string? cacheControl, InlineGuard inline, DateTimeOffset now, Activity? activity,
        bool deferNotFound = false)
    {
        for (int attempt = 1; ; attempt++)
        {
            var exchange = new DownloadExchange
            {
                SignedUrl = url,
                Method = target.Method,
                ContentDisposition = disposition,
                CacheControl = cacheControl,
                NotFoundCacheControl = site.NotFoundCacheControl,
                Inline = inline,
                Store = site.Store,
                Site = site.Name,
                Now = now,
                DeferNotFound = deferNotFound,
            };
            exchange.Attach(context);
            context.Features.Set<IHttpRequestBodyDetectionFeature>(NoRequestBody.Instance);
            ForwarderError error = await _forwarder.SendAsync(context, PlaceholderDestination, _invoker, _requestConfig, _transformer).ConfigureAwait(false);
            activity?.SetTag("presign_gateway.upstream_status", exchange.UpstreamStatus);
            if (exchange.Refusal is { } refusal)
            {
                // A cached URL can be refused after a key rotation or a clock jump: forget it everywhere, sign a
                // fresh one (on the store's clock, just read from its Date header) and try once more. Only when the
                // store says so: a plain AccessDenied (a missing key behind a role without ListBucket) is no reason.
                if (attempt == 1 && refusal is StorageRefusal.Credentials or StorageRefusal.Unexplained && !context.Response.HasStarted)
                {
                    Log.CachedUrlRejected(_logger, site.Store.Name, site.Name, AccessLog.PathOf(context), AccessLog.TraceIdOf(context));
                    _metrics.RejectedUrls.Add(1, new KeyValuePair<string, object?>("store", site.Store.Name));
                    await _cache.EvictAsync(target, context.RequestAborted).ConfigureAwait(false);
                    url = (await _cache.GetAsync(target, now, context.RequestAborted).ConfigureAwait(false)).Url;
                    context.Response.Clear();
                    // Clear drops what was set before the first attempt: the site's CORS answer (Vary: Origin).
                    site.Cors?.Apply(context);
                    continue;
                }

                await AnswerRefusalAsync(context, site, exchange, refusal).ConfigureAwait(false);
                return false;
            }

            if (exchange.UpstreamStatus == StatusCodes.Status404NotFound)
            {
                // No object: keep no URL for it in either tier, or a flood of made-up names fills them.
                await _cache.EvictAsync(target, context.RequestAborted).ConfigureAwait(false);
                if (deferNotFound && error == ForwarderError.None && !context.Response.HasStarted)
                {
                    return true;
                }
            }

            if (error != ForwarderError.None)
            {
                await ReportForwardingErrorAsync(context, site, error).ConfigureAwait(false);
            }
            else if (exchange.BodyOutcome is { } body && body != BodyCopyOutcome.Completed)
            {
                ReportBodyFailure(context, site, body);
            }

            return false;
        }
    }

    private static ForwarderRequestConfig RequestConfig(GatewayOptions options) => new()
    {
        ActivityTimeout = options.Upstream.ResponseHeadersTimeout,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private Task AnswerRefusalAsync(HttpContext context, Site site, DownloadExchange exchange, StorageRefusal refusal)
    {
        (int status, string detail) = DownloadStatus.ForRefusal(refusal, exchange.RefusalClientStatus);
        if (status == StatusCodes.Status502BadGateway)
        {
            // Keys, clock or configuration: the operator's to fix.
            Log.StorageRefusedGateway(_logger, site.Store.Name, exchange.UpstreamStatus, exchange.RefusalCode, site.Name, AccessLog.PathOf(context), AccessLog.TraceIdOf(context));
        }
        else
        {
            // The client's own doing, or access the store denies: routine, and a probe could flood a higher level.
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.StorageRefusedClient(_logger, site.Name, exchange.UpstreamStatus, exchange.RefusalCode, status, AccessLog.PathOf(context), AccessLog.TraceIdOf(context));
            }
        }

        return ProblemResponses.WriteAsync(context, status, detail);
    }

    private void ReportBodyFailure(HttpContext context, Site site, BodyCopyOutcome outcome)
    {
        if (outcome == BodyCopyOutcome.ClientGone)
        {
            Log.ClientAborted(_logger, site.Name);
        }
        else
        {
            Log.ForwardingFailed(_logger, site.Store.Name, outcome == BodyCopyOutcome.StoreStalled ? "ResponseBodyStalled" : "ResponseBodyDestination", site.Name, AccessLog.PathOf(context), AccessLog.TraceIdOf(context));
        }

        // The status and part of the body are out: cut the connection (or the HTTP/2 stream) so the client sees a
        // failed download, never a short one that looks complete. Also when the client went first: Kestrel may not
        // know yet, and would otherwise end the response and report the missing bytes as an application error.
        context.Abort();
    }

    private async Task ReportForwardingErrorAsync(HttpContext context, Site site, ForwarderError error)
    {
        if (DownloadStatus.IsClientAbort(error))
        {
            Log.ClientAborted(_logger, site.Name);
            return;
        }

        Log.ForwardingFailed(_logger, site.Store.Name, error.ToString(), site.Name, AccessLog.PathOf(context), AccessLog.TraceIdOf(context));
        if (!context.Response.HasStarted)
        {
            (int status, string detail) = DownloadStatus.ForForwarderError(error);
            await ProblemResponses.WriteAsync(context, status, detail).ConfigureAwait(false);
        }
    }

    /// <summary>Tells YARP a download request has no body, so a body sent with GET is never forwarded to the store.</summary>
    private sealed class NoRequestBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoRequestBody Instance = new();

        public bool CanHaveBody => false;
    }
}
