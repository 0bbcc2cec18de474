using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PresignGateway.Diagnostics;

/// <summary>
/// Traces, metrics and logs in one place. URL query strings are never recorded: a presigned URL is a credential, so
/// the upstream span keeps scheme, host and path only. Health and metrics endpoints make no spans. OTLP export is
/// on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; <c>/metrics</c> for Prometheus when
/// <c>Gateway:Telemetry:PrometheusEndpoint</c> is true; tracing when OTLP or <c>Gateway:Telemetry:Tracing</c> is on.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ActivitySourceName = "PresignGateway";

    /// <summary>One span per download; immutable, so static is fine.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static readonly string[] QuietPaths = ["/healthz", "/readyz", "/metrics"];

    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.AddJsonConsole(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        bool prometheus = builder.Configuration.GetValue("Gateway:Telemetry:PrometheusEndpoint", false);
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
        if (otlp || builder.Configuration.GetValue("Gateway:Telemetry:Tracing", false))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsQuietPath(context.Request.Path))
                .AddHttpClientInstrumentation(options => options.EnrichWithHttpRequestMessage = static (activity, request) => RedactQuery(activity, request))
                .AddRedisInstrumentation());
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    public static WebApplication MapGatewayTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue("Gateway:Telemetry:PrometheusEndpoint", false))
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        return app;
    }

    public static bool IsQuietPath(PathString path)
    {
        foreach (string quiet in QuietPaths)
        {
            if (path.Equals(quiet, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps the store's scheme, host and path on the span and drops the signed query.</summary>
    private static void RedactQuery(Activity activity, HttpRequestMessage request)
    {
        if (request.RequestUri is { } uri)
        {
            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
            activity.SetTag("url.query", null);
        }
    }
}
