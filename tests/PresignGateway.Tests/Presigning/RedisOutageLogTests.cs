using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using PresignGateway.Diagnostics;
using PresignGateway.Hosting;
using PresignGateway.Presigning;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Presigning;

/// <summary>
/// Quiet logs while Redis is down: one Warning when it goes, a count a minute (on a fake clock) while it stays down, one
/// line when it is back, and none of HybridCache's per-operation Error lines with their stack traces.
/// </summary>
public sealed class RedisOutageLogTests(TestStore store, RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_redis_outage_logs_one_warning_a_count_a_minute_and_one_line_when_it_is_back()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings, services => services.AddSingleton(provider =>
        {
            RedisConnection connection = provider.GetRequiredService<RedisConnection>();
            return new RedisOutageLog(clock, () => connection.IsConnected, provider.GetRequiredService<ILogger<RedisOutageLog>>());
        }));
        using var redisErrors = new MetricCollector<long>(gateway.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "presign_gateway.redis.errors");
        RedisConnection connection = gateway.Services.GetRequiredService<RedisConnection>();
        await Eventually.TrueAsync(() => connection.IsConnected, TimeSpan.FromSeconds(10));
        string folder = $"outage/{Guid.NewGuid():N}/";
        for (int i = 0; i < 5; i++)
        {
            await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), folder + i, RandomNumberGenerator.GetBytes(100));
        }

        int next = 0;
        await DownloadColdAsync(4);
        Assert.Empty(OutageLines());

        await redis.KillAsync();
        await DownloadColdAsync(20);
        using (HttpResponseMessage missing = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, folder + "missing"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // A URL the store refuses is evicted (Redis can't be told) and signed again: the download still succeeds.
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), folder + "refused", RandomNumberGenerator.GetBytes(100));
        await store.AddFaultAsync(folder + "refused", "reject-signature", times: 1);
        using (HttpResponseMessage refused = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, folder + "refused"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        long failed = await SettledCountAsync();
        Assert.True(failed >= 40, $"only {failed} Redis operations failed for 20 cold downloads");
        string down = Assert.Single(OutageLines());
        Assert.StartsWith("Warning PresignGateway.Presigning.RedisOutageLog[90] Redis unreachable", down, StringComparison.Ordinal);
        Assert.Contains("downloads go on, signing locally", down, StringComparison.Ordinal);
        AssertQuiet();

        clock.Advance(Minute);
        Assert.Equal(2, OutageLines().Count);
        Assert.StartsWith($"Warning PresignGateway.Presigning.RedisOutageLog[91] Redis unreachable: {failed} operations failed in the last minute; downloads go on, signing locally.", OutageLines()[1], StringComparison.Ordinal);

        await DownloadColdAsync(10);
        long failedLater = await SettledCountAsync() - failed;
        Assert.Equal(2, OutageLines().Count);
        clock.Advance(Minute);
        Assert.Equal(3, OutageLines().Count);
        Assert.StartsWith($"Warning PresignGateway.Presigning.RedisOutageLog[91] Redis unreachable: {failedLater} operations failed in the last minute", OutageLines()[2], StringComparison.Ordinal);
        // A minute with nothing tried while the connection is still down: nothing to say.
        clock.Advance(Minute);
        Assert.Equal(3, OutageLines().Count);

        await redis.StartAsync();
        await Eventually.TrueAsync(() => connection.IsConnected, TimeSpan.FromSeconds(20));
        await DownloadColdAsync(5);
        Assert.Equal(4, OutageLines().Count);
        Assert.StartsWith("Information PresignGateway.Presigning.RedisOutageLog[92] Redis is reachable again after 180 s; ", OutageLines()[3], StringComparison.Ordinal);
        Assert.Contains($"; {failed + failedLater} operations failed while it was down.", OutageLines()[3], StringComparison.Ordinal);

        // Back for good: no more counts.
        clock.Advance(Minute);
        clock.Advance(Minute);
        await DownloadColdAsync(3);
        Assert.Equal(4, OutageLines().Count);
        Assert.Single(OutageLines(), line => line.Contains("[90]", StringComparison.Ordinal));
        AssertQuiet();

        async Task DownloadColdAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                // A versionId never asked before: a miss in the process, so a read and a write of Redis.
                int index = Interlocked.Increment(ref next);
                using HttpResponseMessage response = await gateway.Client.GetAsync(
                    TestSites.PathFor(StoreKind.S3V4, false, folder + (index % 5)) + "?versionId=v" + index, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        List<string> OutageLines() => [.. gateway.Logs.Lines.Where(line => line.Contains(" PresignGateway.Presigning.RedisOutageLog[", StringComparison.Ordinal))];

        void AssertQuiet()
        {
            Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("Microsoft.Extensions.Caching.Hybrid", StringComparison.Ordinal));
            Assert.True(
                !gateway.Logs.Lines.Any(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)),
                string.Join("\n", gateway.Logs.Lines.Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal))));
            Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("   at ", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal));
        }

        // HybridCache may finish a write after the download is answered: wait until the count stops moving.
        async Task<long> SettledCountAsync()
        {
            long count = -1;
            for (int i = 0; i < 50; i++)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
                long now = redisErrors.GetMeasurementSnapshot().EvaluateAsCounter();
                if (now == count)
                {
                    return count;
                }

                count = now;
            }

            return count;
        }
    }

    [Fact]
    public async Task Only_hybrid_caches_shared_tier_failures_are_filtered_out()
    {
        var logs = new CapturedLogs();
        using var plain = new LoggerFactory([logs]);
        using var pinned = new PinnedLoggerFactory(new LoggerFactory([logs]));

        // Without the filter the real HybridCache logs both failures; through the gateway's factory it logs neither,
        // while its other errors (here a value over MaximumPayloadBytes) still show.
        List<string> unfiltered = await LinesFromHybridCacheAsync(plain, logs);
        Assert.Contains(unfiltered, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("[6]", StringComparison.Ordinal));
        Assert.Contains(unfiltered, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("[7]", StringComparison.Ordinal));

        List<string> filtered = await LinesFromHybridCacheAsync(pinned, logs);
        Assert.DoesNotContain(filtered, line => line.Contains("[6]", StringComparison.Ordinal) || line.Contains("[7]", StringComparison.Ordinal));
        Assert.Contains(filtered, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("[1]", StringComparison.Ordinal));
    }

    private static async Task<List<string>> LinesFromHybridCacheAsync(ILoggerFactory loggerFactory, CapturedLogs logs)
    {
        int before = logs.Lines.Count;
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IDistributedCache, DeadDistributedCache>();
        services.AddHybridCache(options => options.MaximumPayloadBytes = 64);
        await using ServiceProvider provider = services.BuildServiceProvider();
        HybridCache cache = provider.GetRequiredService<HybridCache>();
        CancellationToken token = TestContext.Current.CancellationToken;

        Assert.Equal("small", await cache.GetOrCreateAsync("small", _ => ValueTask.FromResult("small"), cancellationToken: token));
        string big = new('x', 200);
        Assert.Equal(big, await cache.GetOrCreateAsync("big", _ => ValueTask.FromResult(big), cancellationToken: token));
        await Eventually.TrueAsync(() => logs.Lines.Skip(before).Any(line => line.Contains("[7]", StringComparison.Ordinal) || line.Contains("[1]", StringComparison.Ordinal)), TimeSpan.FromSeconds(5));
        await Task.Delay(200, token);
        return [.. logs.Lines.Skip(before).Where(line => line.Contains("Microsoft.Extensions.Caching.Hybrid", StringComparison.Ordinal))];
    }

    /// <summary>A shared tier that fails every operation, as Redis does while it is down.</summary>
    private sealed class DeadDistributedCache : IDistributedCache
    {
        public byte[]? Get(string key) => throw Dead();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromException<byte[]?>(Dead());

        public void Refresh(string key) => throw Dead();

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.FromException(Dead());

        public void Remove(string key) => throw Dead();

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.FromException(Dead());

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw Dead();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.FromException(Dead());

        private static StackExchange.Redis.RedisConnectionException Dead() => new(StackExchange.Redis.ConnectionFailureType.UnableToConnect, "No connection is active/available to service this operation.");
    }
}
