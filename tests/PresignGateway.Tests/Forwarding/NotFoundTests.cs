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
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
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
            Assert.Equal(1, memory.Count);
            Assert.Equal(1, await server.DatabaseSizeAsync());
        }

        // HEAD has its own URL (the method is signed); it is not kept either.
        using var head = new HttpRequestMessage(HttpMethod.Head, TestSites.PathFor(kind, false, folder + "nothing-0.txt"));
        using HttpResponseMessage headMissing = await gateway.Client.SendAsync(head, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, headMissing.StatusCode);
        Assert.Equal(1, memory.Count);
        Assert.Equal(1, await server.DatabaseSizeAsync());
    }
}
