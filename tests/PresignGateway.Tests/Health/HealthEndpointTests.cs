using System.Net;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Health;

/// <summary>Liveness and readiness, with and without Redis; Redis down is degraded, not failed.</summary>
public sealed class HealthEndpointTests(TestStore store) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Both_probes_are_healthy_without_redis()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store));

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(gateway, "/healthz"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(gateway, "/readyz"));
    }

    [Fact]
    public async Task Unreachable_redis_makes_readiness_degraded_but_still_ready()
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["ConnectionStrings:Redis"] = $"127.0.0.1:{GatewayProcessTestsPort()}";
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(gateway, "/healthz"));
        (HttpStatusCode status, string body) = await ProbeAsync(gateway, "/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded\nredis: Unreachable: downloads go on, signing locally in each replica.", body);
    }

    [Fact]
    public async Task Reachable_redis_makes_readiness_healthy()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((await ProbeAsync(gateway, "/readyz")).Body != "Healthy")
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private static int GatewayProcessTestsPort() => PresignGateway.Tests.Hosting.GatewayProcessTests.FreePort();

    private static async Task<(HttpStatusCode Status, string Body)> ProbeAsync(GatewayHost gateway, string path)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(path, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
