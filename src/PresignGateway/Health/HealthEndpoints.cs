using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PresignGateway.Presigning;
using PresignGateway.Sites;

namespace PresignGateway.Health;

/// <summary>
/// <c>/healthz</c>: the process is alive. <c>/readyz</c>: the configuration is loaded, and Redis, when configured, is
/// reachable; Redis down is Degraded, still 200, because downloads go on by signing locally. So is a configuration
/// file that fails to load, or a change that was not applied: the configuration from before still serves. The body
/// is the status, then one line per check that isn't healthy, with its reason (no paths, values or addresses).
/// </summary>
internal static class HealthEndpoints
{
    private const string ReadinessTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ConfigurationHealthCheck>("configuration", tags: [ReadinessTag])
            .AddCheck<RedisHealthCheck>("redis", failureStatus: HealthStatus.Degraded, tags: [ReadinessTag]);
        return services;
    }

    public static WebApplication MapGatewayHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteReasons,
        });
        return app;
    }

    private static Task WriteReasons(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = new System.Text.StringBuilder(report.Status.ToString());
        foreach ((string name, HealthReportEntry entry) in report.Entries)
        {
            if (entry.Status != HealthStatus.Healthy)
            {
                text.Append('\n').Append(name).Append(": ").Append(entry.Description);
            }
        }

        return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }

    private sealed class ConfigurationHealthCheck(SiteTableProvider sites) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(sites switch
            {
                { Current.Sites.Count: 0 } => HealthCheckResult.Unhealthy("No sites are configured."),
                { Problem: { } problem } => HealthCheckResult.Degraded(problem),
                _ => HealthCheckResult.Healthy($"{sites.Current.Sites.Count} sites"),
            });
    }

    private sealed class RedisHealthCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            RedisConnection? redis = services.GetService<RedisConnection>();
            HealthCheckResult result = redis switch
            {
                null => HealthCheckResult.Healthy("Not configured: in-process cache only."),
                { IsConnected: true } => HealthCheckResult.Healthy("Connected."),
                _ => new HealthCheckResult(context.Registration.FailureStatus, "Unreachable: downloads go on, signing locally in each replica."),
            };
            return Task.FromResult(result);
        }
    }
}
