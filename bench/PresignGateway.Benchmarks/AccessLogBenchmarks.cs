using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Forwarding;
using PresignGateway.Hosting;

namespace PresignGateway.Benchmarks;

/// <summary>
/// One access-log line for a proxied 1 KiB download: off by <c>Gateway:AccessLog:Enabled</c>, off by log level
/// (the category below Information: what bench/run.sh measures unless ACCESS_LOG=1), and on, with a provider that
/// formats the message and reads every property, as the JSON console does before its I/O (which it does on its own
/// thread), and on through the batched writer the JSON console deployment uses. Off must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class AccessLogBenchmarks : IDisposable
{
    private readonly DownloadLabels _labels = new("downloads", "proxy", "memory");
    private DefaultHttpContext _context = null!;
    private AccessLog _disabled = null!;
    private AccessLog _belowLevel = null!;
    private AccessLog _on = null!;
    private AccessLog _batched = null!;
    private AccessLogLineWriter _writer = null!;
    private long _started;

    [GlobalSetup]
    public void Setup()
    {
        _context = new DefaultHttpContext();
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Host = new HostString("downloads.example.com");
        _context.Request.Path = "/releases/1.4.2/app-1.4.2.zip";
        _context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        _context.Response.StatusCode = StatusCodes.Status200OK;
        _context.Response.ContentLength = 1024;
        _started = System.Diagnostics.Stopwatch.GetTimestamp();
        _disabled = new AccessLog(Loggers(LogLevel.Information), InForce(enabled: false));
        _belowLevel = new AccessLog(Loggers(LogLevel.Warning), InForce(enabled: true));
        _on = new AccessLog(Loggers(LogLevel.Information), InForce(enabled: true));
        _writer = new AccessLogLineWriter(Stream.Null, TimeProvider.System);
        _batched = new AccessLog(LoggerFactory.Create(logging => logging.AddProvider(_writer)), InForce(enabled: true));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _writer.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public void Disabled() => _disabled.Write(_context, _labels, _started);

    [Benchmark]
    public void BelowLogLevel() => _belowLevel.Write(_context, _labels, _started);

    [Benchmark]
    public void On() => _on.Write(_context, _labels, _started);

    /// <summary>
    /// What a deployment with the JSON console does: lines formatted into the batched writer's queue, then written out
    /// (to a null stream) as its timer does. Drained here every 100 lines, so the queue never fills and drops.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public void OnBatchedWriter()
    {
        for (int i = 0; i < 100; i++)
        {
            _batched.Write(_context, _labels, _started);
        }

        _writer.Drain();
    }

    private static OptionsInForce InForce(bool enabled)
        => new(Options.Create(new GatewayOptions { AccessLog = new AccessLogOptions { Enabled = enabled } }));

    private static ILoggerFactory Loggers(LogLevel minimum) => LoggerFactory.Create(logging => logging.SetMinimumLevel(minimum).AddProvider(new FormattingProvider()));

    /// <summary>Does what a structured provider does with a line, short of writing it anywhere.</summary>
    private sealed class FormattingProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            int length = formatter(state, exception).Length;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                for (int i = 0; i < properties.Count; i++)
                {
                    length += properties[i].Value?.ToString()?.Length ?? 0;
                }
            }

            GC.KeepAlive(length);
        }

        public void Dispose()
        {
        }
    }
}
