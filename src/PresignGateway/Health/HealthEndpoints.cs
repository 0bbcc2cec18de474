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
            .AddCheck<RedisHealthCheck>("redis", failureStatus: HealthStatus.Degraded, tags: [ReadinessTag])
            .AddCheck<CredentialsHealthCheck>("credentials", tags: [ReadinessTag]);
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

    /// <summary>
    /// Temporary credentials: Unhealthy while a store has none that are valid (not fetched yet, or expired while the
    /// refresh fails), Degraded while a refresh fails but the keys in force still serve. Names the store and the
    /// source with its host, never a key or a path.
    /// </summary>
    private sealed class CredentialsHealthCheck(SiteTableProvider sites, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            DateTimeOffset now = time.GetUtcNow();
            var unavailable = new List<string>();
            var failing = new List<string>();
            foreach (Stores.Store store in sites.Current.Stores)
            {
                Stores.ICredentialSource source = store.CredentialSource;
                Stores.StoreCredentials? latest = source.Latest;
                string failure = source.Failure is { } reason ? $" (last attempt: {reason})" : "";
                if (latest is null)
                {
                    unavailable.Add($"store {store.Name}: credentials from {source.Description} are not available yet{failure}");
                }
                else if (store.HasExpired(latest, now))
                {
                    unavailable.Add($"store {store.Name}: credentials from {source.Description} have expired{failure}");
                }
                else if (source.Failure is not null)
                {
                    failing.Add($"store {store.Name}: refreshing credentials from {source.Description} fails{failure}; the current ones serve until {latest.Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'}");
                }
            }

            HealthCheckResult result = unavailable.Count > 0
                ? HealthCheckResult.Unhealthy(string.Join("; ", unavailable.Concat(failing)))
                : failing.Count > 0
                    ? HealthCheckResult.Degraded(string.Join("; ", failing))
                    : HealthCheckResult.Healthy();
            return Task.FromResult(result);
        }
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
