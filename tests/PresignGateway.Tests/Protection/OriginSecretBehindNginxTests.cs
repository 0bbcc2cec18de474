using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Protection;

/// <summary>
/// The origin secret as a CDN uses it: nginx with <c>proxy_cache</c> in front of the gateway adds the header
/// (<c>proxy_set_header</c>, as a CloudFront custom origin header or an Alibaba CDN back-to-origin header would), so
/// clients of nginx get the file, from the cache the second time, while a client that reaches the gateway directly
/// gets 403, and the store never sees the header.
/// </summary>
public sealed class OriginSecretBehindNginxTests(TestStore store)
{
    private const string Header = "X-Origin-Secret";
    private const string Value = "cdn-origin-secret-0123456789abcdef";

    [Fact]
    public async Task Through_nginx_curl_and_Chromium_get_the_file_directly_it_is_403()
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:cdn:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:cdn:PathPrefix"] = "/cdn";
        settings["Gateway:Sites:cdn:Store"] = "oss4";
        settings["Gateway:Sites:cdn:CacheControl"] = "public, max-age=60";
        settings["Gateway:Sites:cdn:Protection:OriginSecret:Header"] = Header;
        settings["Gateway:Sites:cdn:Protection:OriginSecret:Values:0"] = Value;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        await using NginxCache nginx = await NginxCache.StartAsync((port, dir) => string.Create(CultureInfo.InvariantCulture, $$"""
            proxy_cache_path {{dir}}/cache levels=1 keys_zone=gateway:1m max_size=16m inactive=10m use_temp_path=off;
            server {
                listen 127.0.0.1:{{port}};
                location / {
                    proxy_pass http://127.0.0.1:{{gateway.BaseAddress.Port}};
                    proxy_http_version 1.1;
                    proxy_set_header Host 127.0.0.1;
                    proxy_set_header {{Header}} "{{Value}}";
                    proxy_cache gateway;
                    add_header X-Cache-Status $upstream_cache_status always;
                }
            }
            """));
        string key = $"cdn/{Guid.NewGuid():N}/file.bin";
        byte[] content = RandomNumberGenerator.GetBytes(3000);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, content);

        using HttpResponseMessage first = await nginx.Client.GetAsync("/cdn/" + key, TestContext.Current.CancellationToken);
        using HttpResponseMessage second = await nginx.Client.GetAsync("/cdn/" + key, TestContext.Current.CancellationToken);
        using HttpResponseMessage direct = await gateway.Client.GetAsync("/cdn/" + key, TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden), (first.StatusCode, second.StatusCode, direct.StatusCode));
        Assert.Equal(content, await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(content, await second.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("MISS", "HIT"), (first.Headers.GetValues("X-Cache-Status").Single(), second.Headers.GetValues("X-Cache-Status").Single()));
        Assert.Equal("no-store", direct.Headers.CacheControl?.ToString());

        // Chromium through nginx saves the file (nginx's cached copy: the store is asked once in all).
        await ToolInstaller.EnsureNpmPackagesAsync(RepositoryPaths.BrowserDownload, "playwright-core");
        using var directory = new TemporaryDirectory();
        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "node", [Path.Combine(RepositoryPaths.BrowserDownload, "download.js"), "--url", new Uri(nginx.BaseAddress, "/cdn/" + key).AbsoluteUri, "--out", directory.Path, "--mode", "navigate", "--timeout-ms", "45000"],
            timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, stderr);
        using System.Text.Json.JsonDocument result = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("file.bin", result.RootElement.GetProperty("suggestedFilename").GetString());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(directory.Path, "file.bin"), TestContext.Current.CancellationToken));

        IReadOnlyList<RecordedRequest> received = await store.RequestsForAsync(key);
        Assert.Single(received);
        Assert.False(received[0].Headers.ContainsKey("x-origin-secret"), "the store received the origin secret");
    }
}
