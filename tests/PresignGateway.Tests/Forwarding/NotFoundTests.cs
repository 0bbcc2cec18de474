using System.Net;
using System.Security.Cryptography;
using PresignGateway.Presigning;
using PresignGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// Proxy mode keeps no URL for an object the store says does not exist, in either tier: otherwise every made-up name
/// a client asks for stays in memory and in Redis until it expires.
/// </summary>
public sealed class NotFoundTests(TestStore store, RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [InlineData(StoreKind.S3V4)]
    [InlineData(StoreKind.OssV4)]
    public async Task A_url_the_store_answers_404_for_is_kept_in_neither_tier(StoreKind kind)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        // The counts below need every Redis call to land: no 200 ms give-up on a machine busy with parallel tests.
        settings["Gateway:Cache:RedisTimeout"] = "00:00:05";
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        // The gateway connects to Redis in the background; a first download before that is not written to the shared tier.
        RedisConnection gatewayRedis = gateway.Services.GetRequiredService<RedisConnection>();
        await Eventually.TrueAsync(() => gatewayRedis.IsConnected, TimeSpan.FromSeconds(10));
        MemoryTier memory = gateway.Services.GetRequiredService<PresignedUrlCache>().Memory;
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        IServer server = connection.GetServers()[0];
        await server.FlushDatabaseAsync();

        // An object that exists is cached in both tiers: the check below would see a kept URL.
        string folder = $"notfound/{Guid.NewGuid():N}/";
        await store.PutObjectAsync(TestSites.Bucket(kind), folder + "here.txt", RandomNumberGenerator.GetBytes(64));
        using (HttpResponseMessage found = await gateway.Client.GetAsync(TestSites.PathFor(kind, false, folder + "here.txt"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        }

        Assert.Equal(1, memory.Count);
        Assert.Equal(1, await server.DatabaseSizeAsync());

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage missing = await gateway.Client.GetAsync(
                TestSites.PathFor(kind, false, folder + "nothing-" + i + ".txt") + "?filename=x.txt", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            await AssertOnlyTheFoundUrlIsKeptAsync(memory, server);
        }

        // HEAD has its own URL (the method is signed); it is not kept either.
        using var head = new HttpRequestMessage(HttpMethod.Head, TestSites.PathFor(kind, false, folder + "nothing-0.txt"));
        using HttpResponseMessage headMissing = await gateway.Client.SendAsync(head, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, headMissing.StatusCode);
        await AssertOnlyTheFoundUrlIsKeptAsync(memory, server);
    }

    /// <summary>
    /// The 404 reaches the client before its handler evicts the URL (the eviction runs after the answer is written),
    /// so allow it a moment; a URL that stays kept fails after the wait.
    /// </summary>
    private static async Task AssertOnlyTheFoundUrlIsKeptAsync(MemoryTier memory, IServer server)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(5));
        while (!wait.IsCancellationRequested && (memory.Count != 1 || await server.DatabaseSizeAsync() != 1))
        {
            await Task.Delay(20, CancellationToken.None);
        }

        Assert.Equal(1, memory.Count);
        Assert.Equal(1, await server.DatabaseSizeAsync());
    }
}
