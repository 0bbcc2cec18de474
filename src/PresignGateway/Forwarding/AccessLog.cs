using System.Diagnostics;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;

namespace PresignGateway.Forwarding;

/// <summary>
/// The access log: one line per request that reaches the download endpoint or the CORS preflight (downloads and every
/// error the gateway answers: 400, 403, 404, 405, 412, 416, 421, 429, 5xx), in the category
/// <c>PresignGateway.Access</c> at Information. Health probes are not logged (they would drown the rest); requests
/// Kestrel refuses before any application code (a malformed request line, 414, 431) are not either.
/// When the category is off or <c>Gateway:AccessLog:Enabled</c> is false, a request costs one field read and one
/// level check, nothing allocated.
/// </summary>
internal sealed class AccessLog
{
    public const string Category = "PresignGateway.Access";

    private readonly ILogger _logger;
    // Replaced by a reload of Gateway:AccessLog:Enabled.
    private volatile bool _enabled;

    public AccessLog(ILoggerFactory loggers, OptionsInForce options)
    {
        _logger = loggers.CreateLogger(Category);
        options.Subscribe(inForce => _enabled = inForce.AccessLog.Enabled);
    }

    public bool IsEnabled => _enabled && _logger.IsEnabled(LogLevel.Information);

    /// <summary>The request's path for a log line: decoded, cleaned (<see cref="LogText"/>), and without its query.</summary>
    public static string PathOf(HttpContext context) => LogText.Clean(context.Request.Path.Value ?? "");

    /// <summary>The W3C trace id when the request is traced, else the server's request id.</summary>
    public static string TraceIdOf(HttpContext context)
        => Activity.Current is { } activity ? activity.TraceId.ToHexString() : context.TraceIdentifier;

    /// <param name="started">When the request reached the gateway's code (a Stopwatch timestamp).</param>
    /// <param name="failed">The handler is throwing: the server answers 500 unless the response had started.</param>
    public void Write(HttpContext context, in DownloadLabels labels, long started, bool failed = false)
    {
        if (!IsEnabled)
        {
            return;
        }

        HttpResponse response = context.Response;
        int status = failed && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
        DownloadExchange? exchange = DownloadExchange.Find(context);
        int upstream = exchange?.UpstreamStatus ?? 0;
        new AccessLogEntry(
            LogText.Clean(context.Request.Method),
            LogText.Clean(context.Request.Host.Value ?? ""),
            PathOf(context),
            status,
            BytesSent(context, exchange),
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3),
            context.Connection.RemoteIpAddress?.ToString(),
            labels.Site,
            labels.Mode,
            labels.Cache,
            upstream == 0 ? null : upstream,
            TraceIdOf(context)).WriteTo(_logger);
    }

    /// <summary>
    /// Body bytes written to the client: what the streaming copy moved, else the length of the answer the gateway wrote
    /// itself (an error body, none for a redirect, a 304 or a HEAD).
    /// </summary>
    private static long BytesSent(HttpContext context, DownloadExchange? exchange)
    {
        if (exchange?.BodyOutcome is not null)
        {
            return exchange.BytesSent;
        }

        HttpResponse response = context.Response;
        return string.Equals(context.Request.Method, HttpMethods.Head, StringComparison.Ordinal) || !response.HasStarted ? 0 : response.ContentLength ?? 0;
    }
}
