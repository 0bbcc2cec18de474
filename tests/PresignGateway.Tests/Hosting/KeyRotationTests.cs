using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>Keys rotate without a restart: a mounted secrets directory (one file per setting) changes, new requests sign with the new key.</summary>
public sealed class KeyRotationTests(TestStore store)
{
    [Fact]
    public async Task New_requests_use_the_rotated_key_from_the_mounted_secrets()
    {
        using var secrets = new TemporaryDirectory();
        await WriteKeysAsync(secrets.Path, TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret);
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings.Remove("Gateway:Stores:oss4:AccessKeyId");
        settings.Remove("Gateway:Stores:oss4:AccessKeySecret");
        settings["Gateway:SecretsDirectory"] = secrets.Path;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        string key = $"rotation/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(100));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, key));
        Assert.Contains("x-oss-credential=" + TestStore.OssAccessKeyId, (await store.RequestsForAsync(key))[^1].Url, StringComparison.Ordinal);

        await WriteKeysAsync(secrets.Path, TestStore.RotatedAccessKeyId, TestStore.RotatedAccessKeySecret);

        // The secrets directory is polled (mounted secrets change by a symlink swap that inotify misses).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await store.RequestsForAsync(key))[^1].Url.Contains("x-oss-credential=" + TestStore.RotatedAccessKeyId, StringComparison.Ordinal))
        {
            await Task.Delay(250, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, key));
        }

        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Configuration reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_change_keeps_the_configuration_in_force()
    {
        using var secrets = new TemporaryDirectory();
        await WriteKeysAsync(secrets.Path, TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret);
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:SecretsDirectory"] = secrets.Path;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        string key = $"rotation/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(100));

        await File.WriteAllTextAsync(Path.Combine(secrets.Path, "Gateway__Stores__oss4__UrlLifetime"), "30.00:00:00", TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!gateway.Logs.Lines.Any(line => line.Contains("was not applied", StringComparison.Ordinal)))
        {
            await Task.Delay(250, timeout.Token);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, key));
        Assert.Contains("x-oss-expires=3600&", (await store.RequestsForAsync(key))[^1].Url, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(GatewayHost gateway, string key)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task WriteKeysAsync(string directory, string id, string secret)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "Gateway__Stores__oss4__AccessKeyId"), id);
        await File.WriteAllTextAsync(Path.Combine(directory, "Gateway__Stores__oss4__AccessKeySecret"), secret);
    }
}
