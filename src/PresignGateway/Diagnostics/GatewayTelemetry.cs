using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PresignGateway.Configuration;
using PresignGateway.Hosting;

namespace PresignGateway.Diagnostics;

/// <summary>
/// Traces, metrics and logs in one place. URL query strings are never recorded: a presigned URL is a credential, so
/// the upstream span keeps scheme, host and path only. Health endpoints make no spans. OTLP export is on when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; <c>/metrics</c> for Prometheus, on its own listener
/// (<c>Gateway:Telemetry:MetricsUrl</c>), when <c>Gateway:Telemetry:PrometheusEndpoint</c> is true; tracing when OTLP
/// or <c>Gateway:Telemetry:Tracing</c> is on.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ActivitySourceName = "PresignGateway";

    /// <summary>One span per download; immutable, so static is fine.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>Where <c>/metrics</c> listens unless <c>Gateway:Telemetry:MetricsUrl</c> says otherwise.</summary>
    public const string DefaultMetricsUrl = "http://+:9464";

    // /metrics is not here: on the download listeners it is an ordinary download path.
    public static readonly string[] QuietPaths = ["/healthz", "/readyz"];

    /// <summary>The telemetry settings, checked; each problem names its setting.</summary>
    public static TelemetrySettings ReadSettings(IConfiguration configuration, ICollection<string> problems)
    {
        bool prometheus = SettingReader.Get(configuration, "Gateway:Telemetry:PrometheusEndpoint", false, problems);
        bool tracing = SettingReader.Get(configuration, "Gateway:Telemetry:Tracing", false, problems);
        string url = configuration["Gateway:Telemetry:MetricsUrl"] is { Length: > 0 } configured ? configured : DefaultMetricsUrl;
        if (prometheus && !IsPlainHttpAddress(url))
        {
            problems.Add($"Gateway:Telemetry:MetricsUrl is '{url}': use http://HOST:PORT without a path, such as {DefaultMetricsUrl} (all interfaces) or http://127.0.0.1:9464.");
        }

        return new TelemetrySettings(prometheus, tracing, url);
    }

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
                .AddSource(ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsQuietPath(context.Request.Path))
                .AddHttpClientInstrumentation(options => options.EnrichWithHttpRequestMessage = static (activity, request) => RedactQuery(activity, request))
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

    private static bool IsPlainHttpAddress(string url)
    {
        try
        {
            BindingAddress address = BindingAddress.Parse(url);
            return address.Scheme == "http" && !address.IsNamedPipe && !address.IsUnixPipe && address.PathBase.Length == 0 && address.Port is >= 0 and <= 65535;
        }
        catch (FormatException)
        {
            return false;
        }
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
