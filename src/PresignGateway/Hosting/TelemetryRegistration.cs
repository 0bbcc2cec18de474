using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Forwarding;

namespace PresignGateway.Hosting;

/// <summary>
/// Traces, metrics and logs in one place, following the rules of <see cref="GatewayTelemetry"/>. OTLP export is on when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; <c>/metrics</c> for Prometheus, on its own listener
/// (<c>Gateway:Telemetry:MetricsUrl</c>), when <c>Gateway:Telemetry:PrometheusEndpoint</c> is true; tracing when OTLP
/// or <c>Gateway:Telemetry:Tracing</c> is on.
/// </summary>
internal static class TelemetryRegistration
{
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder, TelemetrySettings settings)
    {
        // JSON lines for log collectors by default; Logging:Console:FormatterName=simple for a person at a terminal
        // (deploy/demo.sh sets it). Chosen here because AddJsonConsole would override the setting.
        if (string.Equals(builder.Configuration["Logging:Console:FormatterName"], "simple", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });

            // The access log, a line per request, leaves stdout through its own batched writer in the same JSON shape:
            // the console's one writer thread, woken per line, cost more than the request itself (AccessLogLineWriter).
            builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(AccessLog.Category, LogLevel.None);
            builder.Services.AddSingleton<ILoggerProvider>(services => new AccessLogLineWriter(
                Console.OpenStandardOutput(), services.GetRequiredService<TimeProvider>()));
        }

        bool prometheus = settings.PrometheusEndpoint;
        bool otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        OpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("presign-gateway"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(GatewayMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });

        // Spans cost about 1 KB of allocation per request (measured in bench/RESULTS.md), so they are recorded only
        // when something receives them: an OTLP endpoint, or Gateway:Telemetry:Tracing for another exporter.
        if (otlp || settings.Tracing)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !GatewayTelemetry.IsQuietPath(context.Request.Path))
                .AddHttpClientInstrumentation(options => options.EnrichWithHttpRequestMessage = static (activity, request) => GatewayTelemetry.RedactQuery(activity, request))
                .AddRedisInstrumentation());
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        if (prometheus)
        {
            builder.Services.AddSingleton(services => new MetricsListener(
                services.GetRequiredService<MeterProvider>(), settings.MetricsUrl, services.GetRequiredService<ILogger<MetricsListener>>()));
            builder.Services.AddHostedService(services => services.GetRequiredService<MetricsListener>());
        }

        return builder;
    }
}
