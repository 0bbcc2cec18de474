using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Protection;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Sites;
using PresignGateway.Stores;
using Yarp.ReverseProxy.Forwarder;

namespace PresignGateway.Forwarding;

/// <summary>
/// The request flow, top to bottom: method -> site and key -> presigned URL (cached) -> 302 redirect, or stream from
/// the store through YARP with the download headers shaped on the way back.
/// </summary>
internal sealed class DownloadEndpoint
{
    // Only used by YARP to build a URI that the transformer then replaces with the signed one.
    private const string PlaceholderDestination = "http://store.invalid/";

    private readonly SiteTableProvider _sites;
    private readonly PresignedUrlCache _cache;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly DownloadTransformer _transformer;
    private readonly TimeProvider _time;
    private readonly ILogger<DownloadEndpoint> _logger;
    private readonly GatewayMetrics _metrics;
    private readonly DownloadRateLimiter _rateLimiter;
    private readonly ContentDispositionCache _dispositions = new();
    // Replaced by a reload of Gateway:Upstream:ResponseHeadersTimeout; a request reads it once.
    private volatile ForwarderRequestConfig _requestConfig;

    public DownloadEndpoint(
        SiteTableProvider sites, PresignedUrlCache cache, IHttpForwarder forwarder, StorageInvoker invoker, DownloadTransformer transformer,
        TimeProvider time, GatewayMetrics metrics, DownloadRateLimiter rateLimiter, OptionsInForce options, ILogger<DownloadEndpoint> logger)
    {
        _metrics = metrics;
        _rateLimiter = rateLimiter;
        _sites = sites;
        _cache = cache;
        _forwarder = forwarder;
        _invoker = invoker.Invoker;
        _transformer = transformer;
        _time = time;
        _logger = logger;
        _requestConfig = RequestConfig(options.Current);
        options.Subscribe(inForce => _requestConfig = RequestConfig(inForce));
    }

    public async Task HandleAsync(HttpContext context)
    {
        using Activity? activity = GatewayTelemetry.ActivitySource.StartActivity("presign_gateway.download");
        string site = "(none)";
        string mode = "(none)";
        try
        {
            (site, mode) = await ServeAsync(context, activity).ConfigureAwait(false);
        }
        finally
        {
            RecordOutcome(context, activity, site, mode);
        }
    }

    // Pooled builders: the state machines of a download that waits on the store are reused, not allocated each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(string Site, string Mode)> ServeAsync(HttpContext context, Activity? activity)
    {
        HttpRequest request = context.Request;
        // Methods are case-sensitive (RFC 9110): HttpMethods.IsHead would take "head", which Kestrel treats as a
        // method with a body, for HEAD. Kestrel interns the known methods, so these usually end at the reference check.
        string method = request.Method;
        bool head = string.Equals(method, HttpMethods.Head, StringComparison.Ordinal);
        if (!head && !string.Equals(method, HttpMethods.Get, StringComparison.Ordinal))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Only GET and HEAD are supported.").ConfigureAwait(false);
            return ("(none)", "(none)");
        }

        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        // Most downloads have no query string: skip building the query collection for them.
        IQueryCollection query = request.QueryString.HasValue ? request.Query : QueryCollection.Empty;
        if (!DownloadResolver.TryResolve(_sites.Current, request.Host.Host, rawTarget, query, out DownloadPlan plan, out int status, out string detail))
        {
            await ProblemResponses.WriteAsync(context, status, detail).ConfigureAwait(false);
            return ("(none)", "(none)");
        }

        Site site = plan.Site;
        bool redirect = site.Mode == DeliveryMode.Redirect;
        string mode = redirect ? "redirect" : "proxy";
        if (site.Protection.Check(context, plan.Path, _time.GetUtcNow()) is { } refusal)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, refusal).ConfigureAwait(false);
            return (site.Name, mode);
        }

        if (!_rateLimiter.TryAcquire(context, site, out TimeSpan retryAfter))
        {
            long seconds = (long)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
            await ProblemResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests; try again later.", seconds).ConfigureAwait(false);
            return (site.Name, mode);
        }

        activity?.SetTag("presign_gateway.site", site.Name);
        activity?.SetTag("presign_gateway.store", site.Store.Name);
        activity?.SetTag("presign_gateway.mode", mode);
        string disposition = _dispositions.Format(plan.Disposition, plan.FileName);
        var target = new PresignTarget(
            site.Store, head ? PresignMethod.Head : PresignMethod.Get, plan.Key, plan.VersionId,
            // In redirect mode the store itself answers the download, so the name travels signed inside the URL.
            redirect ? disposition : null,
            plan.ImageProcess);

        CacheLookup lookup;
        try
        {
            lookup = await _cache.GetAsync(target, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidPresignRequestException e)
        {
            Log.BadRequest(_logger, site.Name, e.Reason);
            await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, e.Reason).ConfigureAwait(false);
            return (site.Name, mode);
        }

        activity?.SetTag("presign_gateway.cache", lookup.Tier switch { CacheTier.Memory => "hit_memory", CacheTier.Shared => "hit_shared", _ => "miss" });
        if (redirect)
        {
            WriteRedirect(context.Response, lookup.Url, site);
        }
        else
        {
            InlineGuard inline = plan.Disposition != DispositionType.Inline ? default : new InlineGuard(
                true,
                ActiveContent.IsActiveName(plan.Key) || ActiveContent.IsActiveName(plan.FileName),
                plan.InlineByQuery ? _dispositions.Format(DispositionType.Attachment, plan.FileName) : null);
            await ForwardAsync(context, site, target, lookup.Url, disposition, plan.CacheControl, inline, activity).ConfigureAwait(false);
        }

        return (site.Name, mode);
    }

    private void RecordOutcome(HttpContext context, Activity? activity, string site, string mode)
    {
        int status = context.Response.StatusCode;
        DownloadExchange? exchange = context.Features.Get<DownloadExchange>();
        BodyCopyOutcome? body = exchange?.BodyOutcome;
        bool aborted = context.RequestAborted.IsCancellationRequested;
        string outcome = body switch
        {
            BodyCopyOutcome.StoreFailed => "storage_error",
            BodyCopyOutcome.StoreStalled => "storage_timeout",
            BodyCopyOutcome.ClientGone => "client_aborted",
            // A client that closes the connection once it has the whole answer did not abort anything: only an
            // answer never started counts (a completed body is judged by its status below).
            null when aborted && !context.Response.HasStarted => "client_aborted",
            // Told apart from the gateway's own 403s: a role that lost GetObject shows here, not as a gateway failure.
            _ when status == StatusCodes.Status403Forbidden && exchange?.Refusal is not null => "storage_denied",
            _ => Outcome(status),
        };
        _metrics.Requests.Add(1, new TagList { { "site", site }, { "mode", mode }, { "outcome", outcome } });
        bool bodyDelivered = body is null or BodyCopyOutcome.Completed;
        if (!aborted && bodyDelivered && status is 200 or 206 && context.Response.ContentLength is { } length && !HttpMethods.IsHead(context.Request.Method))
        {
            _metrics.ResponseBytes.Add(length, new TagList { { "site", site } });
            activity?.SetTag("presign_gateway.bytes_sent", length);
        }

        activity?.SetTag("http.response.status_code", status);
        activity?.SetTag("presign_gateway.outcome", outcome);
    }

    private static ForwarderRequestConfig RequestConfig(GatewayOptions options) => new()
    {
        ActivityTimeout = options.Upstream.ResponseHeadersTimeout,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
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

    private void WriteRedirect(HttpResponse response, CachedPresignedUrl url, Site site)
    {
        // Let the client (or a cache) reuse the redirect only while the URL still has its refresh margin left.
        Store store = site.Store;
        TimeSpan usable = url.ExpiresAt - _cache.RefreshMargin(store.UrlLifetime) - store.Now(_time);
        long maxAge = Math.Max(0, (long)usable.TotalSeconds);
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = url.Url;
        response.Headers.CacheControl = site.RedirectCacheControl.Format(maxAge);
        response.ContentLength = 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ForwardAsync(
        HttpContext context, Site site, PresignTarget target, CachedPresignedUrl url, string disposition, string? cacheControl, InlineGuard inline, Activity? activity)
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
            };
            context.Features.Set(exchange);
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
                    Log.CachedUrlRejected(_logger, site.Store.Name);
                    _metrics.RejectedUrls.Add(1, new KeyValuePair<string, object?>("store", site.Store.Name));
                    await _cache.EvictAsync(target, context.RequestAborted).ConfigureAwait(false);
                    url = (await _cache.GetAsync(target, context.RequestAborted).ConfigureAwait(false)).Url;
                    context.Response.Clear();
                    continue;
                }

                await AnswerRefusalAsync(context, site, exchange, refusal).ConfigureAwait(false);
                return;
            }

            if (exchange.UpstreamStatus == StatusCodes.Status404NotFound)
            {
                // No object: keep no URL for it in either tier, or a flood of made-up names fills them.
                await _cache.EvictAsync(target, context.RequestAborted).ConfigureAwait(false);
            }

            if (error != ForwarderError.None)
            {
                await ReportForwardingErrorAsync(context, site, error).ConfigureAwait(false);
            }
            else if (exchange.BodyOutcome is { } body && body != BodyCopyOutcome.Completed)
            {
                ReportBodyFailure(context, site, body);
            }

            return;
        }
    }

    private Task AnswerRefusalAsync(HttpContext context, Site site, DownloadExchange exchange, StorageRefusal refusal)
    {
        (int status, string detail) = StorageErrors.ClientAnswer(refusal, exchange.RefusalClientStatus);
        if (status == StatusCodes.Status502BadGateway)
        {
            // Keys, clock or configuration: the operator's to fix.
            Log.StorageRefusedGateway(_logger, site.Store.Name, exchange.UpstreamStatus, exchange.RefusalCode);
        }
        else
        {
            // The client's own doing, or access the store denies: routine, and a probe could flood a higher level.
            Log.StorageRefusedClient(_logger, site.Name, exchange.UpstreamStatus, exchange.RefusalCode, status);
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
            Log.ForwardingFailed(_logger, site.Store.Name, outcome == BodyCopyOutcome.StoreStalled ? "ResponseBodyStalled" : "ResponseBodyDestination");
        }

        // The status and part of the body are out: cut the connection (or the HTTP/2 stream) so the client sees a
        // failed download, never a short one that looks complete. Also when the client went first: Kestrel may not
        // know yet, and would otherwise end the response and report the missing bytes as an application error.
        context.Abort();
    }

    private async Task ReportForwardingErrorAsync(HttpContext context, Site site, ForwarderError error)
    {
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled)
        {
            Log.ClientAborted(_logger, site.Name);
            return;
        }

        Log.ForwardingFailed(_logger, site.Store.Name, error.ToString());
        if (!context.Response.HasStarted)
        {
            bool timedOut = error == ForwarderError.RequestTimedOut;
            await ProblemResponses.WriteAsync(
                context,
                timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                timedOut ? "The storage service did not answer in time." : "The storage service could not be reached.").ConfigureAwait(false);
        }
    }

    /// <summary>Tells YARP a download request has no body, so a body sent with GET is never forwarded to the store.</summary>
    private sealed class NoRequestBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoRequestBody Instance = new();

        public bool CanHaveBody => false;
    }
}
