using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Presigning;

/// <summary>
/// Replicas sharing a real redis-server: one signature per object across gateways, and downloads that never fail
/// while Redis dies and comes back.
/// </summary>
public sealed class SharedCacheTests(TestStore store, RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_gateways_sharing_redis_hand_out_the_identical_url()
    {
        string key = await UploadAsync();
        await using GatewayHost first = await GatewayHost.StartAsync(WithRedis());
        // The other spelling of the connection string: Gateway:Cache:Redis.
        await using GatewayHost second = await GatewayHost.StartAsync(WithRedis("Gateway:Cache:Redis"));
        await using GatewayHost alone = await GatewayHost.StartAsync(TestSites.Settings(store));

        string fromFirst = await LocationAsync(first, key);
        // A later second: signing again would change X-Amz-Date, so equal URLs can only come from the shared tier.
        await Task.Delay(1100, TestContext.Current.CancellationToken);
        string fromSecond = await LocationAsync(second, key);
        string fromAlone = await LocationAsync(alone, key);

        Assert.Equal(fromFirst, fromSecond);
        Assert.NotEqual(fromFirst, fromAlone);
    }

    [Fact]
    public async Task Downloads_never_fail_while_redis_dies_and_the_shared_tier_returns_when_it_is_back()
    {
        byte[] content = RandomNumberGenerator.GetBytes(2048);
        const int Objects = 400;
        string folder = $"burst/{Guid.NewGuid():N}/";
        for (int i = 0; i < Objects; i++)
        {
            await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), folder + i, content);
        }

        await using GatewayHost gateway = await GatewayHost.StartAsync(WithRedis());
        using var redisErrors = new MetricCollector<long>(gateway.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "presign_gateway.redis.errors");
        var connection = gateway.Services.GetRequiredService<RedisConnection>();
        await Eventually.TrueAsync(() => connection.IsConnected, TimeSpan.FromSeconds(10));

        int next = 0, failures = 0, completed = 0;
        TimeSpan slowest = TimeSpan.Zero;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task Worker()
        {
            // Every request is a cold object (a miss in the process, a trip to Redis), the worst case for an outage.
            while (!stop.IsCancellationRequested)
            {
                int index = Interlocked.Increment(ref next);
                if (index > Objects * 3)
                {
                    return;
                }

                string path = TestSites.PathFor(StoreKind.S3V4, false, folder + (index % Objects)) + "?versionId=v" + index;
                long started = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await gateway.Client.GetAsync(path, CancellationToken.None);
                byte[] body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                TimeSpan took = Stopwatch.GetElapsedTime(started);
                lock (stop)
                {
                    slowest = took > slowest ? took : slowest;
                }

                if (response.StatusCode != HttpStatusCode.OK || !body.AsSpan().SequenceEqual(content))
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref completed);
            }
        }

        Task[] workers = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(Worker))];
        await Eventually.TrueAsync(() => Volatile.Read(ref completed) >= Objects / 2, TimeSpan.FromSeconds(20));
        await redis.KillAsync();
        await Task.WhenAll(workers);

        Assert.Equal(0, failures);
        Assert.Equal(Objects * 3, completed);
        Assert.True(redisErrors.GetMeasurementSnapshot().EvaluateAsCounter() > 0, "the outage never reached Redis");
        Assert.False(connection.IsConnected);
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a download waited {slowest} on the dead Redis");
        // Eight workers hit the dead Redis at once: still one line for the outage, and none of HybridCache's.
        Assert.Single(gateway.Logs.Lines, line => line.Contains("RedisOutageLog[90]", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("Microsoft.Extensions.Caching.Hybrid", StringComparison.Ordinal) || line.Contains("   at ", StringComparison.Ordinal));

        await redis.StartAsync();
        await Eventually.TrueAsync(() => connection.IsConnected, TimeSpan.FromSeconds(20));
        await using GatewayHost replica = await GatewayHost.StartAsync(WithRedis());
        string key = await UploadAsync();
        string fromGateway = await LocationAsync(gateway, key);
        await Task.Delay(1100, TestContext.Current.CancellationToken);
        Assert.Equal(fromGateway, await LocationAsync(replica, key));
        Assert.Single(gateway.Logs.Lines, line => line.Contains("RedisOutageLog[92]", StringComparison.Ordinal));
        Assert.Single(gateway.Logs.Lines, line => line.Contains("RedisOutageLog[90]", StringComparison.Ordinal));
    }

    private Dictionary<string, string?> WithRedis(string setting = "ConnectionStrings:Redis")
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings[setting] = redis.ConnectionString;
        return settings;
    }

    private async Task<string> UploadAsync()
    {
        string key = $"shared/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), key, RandomNumberGenerator.GetBytes(100));
        return key;
    }

    private static async Task<string> LocationAsync(GatewayHost host, string key)
    {
        using HttpResponseMessage response = await host.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, true, key), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }
}
