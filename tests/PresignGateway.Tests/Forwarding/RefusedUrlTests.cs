using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>A cached URL the store refuses is evicted and signed again once, before any byte reaches the client.</summary>
public sealed class RefusedUrlTests(TestStore store)
{
    [Fact]
    public async Task First_refusal_is_retried_with_a_fresh_url_and_the_download_succeeds()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store));
        (string key, byte[] content) = await UploadAsync(StoreKind.OssV4);
        using HttpResponseMessage warm = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);
        await store.AddFaultAsync(key, "reject-signature", times: 1);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        IReadOnlyList<RecordedRequest> received = await store.RequestsForAsync(key);
        Assert.Equal([200, 403, 200], received.Select(r => r.Status));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("evicted it and signed again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Second_refusal_is_a_502()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store));
        (string key, _) = await UploadAsync(StoreKind.S3V4);
        await store.AddFaultAsync(key, "reject-signature", times: 2);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, key), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal([403, 403], (await store.RequestsForAsync(key)).Select(r => r.Status));
    }

    private async Task<(string Key, byte[] Content)> UploadAsync(StoreKind kind)
    {
        string key = $"refused/{Guid.NewGuid():N}/file.bin";
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        await store.PutObjectAsync(TestSites.Bucket(kind), key, content);
        return (key, content);
    }
}
