using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>Serving as operators configure it: HTTPS with HTTP/2 from certificate files, Prometheus, appsettings hot reload.</summary>
public sealed class ServingTests(TestStore store)
{
    [Fact]
    public async Task Https_with_a_certificate_from_files_serves_http2()
    {
        using var directory = new TemporaryDirectory();
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string certificatePath = Path.Combine(directory.Path, "gateway.crt");
        string keyPath = Path.Combine(directory.Path, "gateway.key");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        Dictionary<string, string?> settings = TestSites.Settings(store);
        // Port 0, read back from the server: a port picked before the bind can be taken by a parallel test meanwhile.
        settings["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0";
        settings["Kestrel:Endpoints:Https:Protocols"] = "Http1AndHttp2";
        settings["Kestrel:Endpoints:Https:Certificate:Path"] = certificatePath;
        settings["Kestrel:Endpoints:Https:Certificate:KeyPath"] = keyPath;
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings, listenOnFreePort: false);
        string objectKey = $"https/{Guid.NewGuid():N}/file.bin";
        byte[] content = RandomNumberGenerator.GetBytes(10_000);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), objectKey, content);

        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
        };
        using var client = new HttpClient(handler) { BaseAddress = gateway.BaseAddress };
        using var get = new HttpRequestMessage(HttpMethod.Get, TestSites.PathFor(StoreKind.OssV4, false, objectKey))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using HttpResponseMessage response = await client.SendAsync(get, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Prometheus_endpoint_is_served_on_its_own_listener_only()
    {
        Dictionary<string, string?> settings = WithRootSite(TestSites.Settings(store));
        settings["Gateway:Telemetry:PrometheusEndpoint"] = "true";
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), "root/metrics", "an object called metrics"u8.ToArray());
        using HttpResponseMessage download = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, "missing.txt"), TestContext.Current.CancellationToken);
        Uri metricsAddress = Assert.IsType<Uri>(gateway.MetricsAddress);
        Assert.NotEqual(gateway.BaseAddress.Port, metricsAddress.Port);
        using HttpClient metricsClient = GatewayHost.CreateClient(metricsAddress);

        using HttpResponseMessage metrics = await metricsClient.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using HttpResponseMessage onDownloadListener = await gateway.Client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using var withMetricsHost = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        withMetricsHost.Headers.Host = $"127.0.0.1:{metricsAddress.Port}";
        using HttpResponseMessage spoofedHost = await gateway.Client.SendAsync(withMetricsHost, TestContext.Current.CancellationToken);
        using HttpResponseMessage otherPath = await metricsClient.GetAsync("/root/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("no-store", metrics.Headers.CacheControl?.ToString());
        string text = await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("presign_gateway_requests", text, StringComparison.Ordinal);
        Assert.DoesNotContain("missing.txt", text, StringComparison.Ordinal);
        // On the download listener /metrics is a download like any other, whatever Host the client claims.
        Assert.Equal("an object called metrics", await onDownloadListener.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("an object called metrics", await spoofedHost.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // And the metrics listener serves nothing else.
        Assert.Equal(HttpStatusCode.NotFound, otherPath.StatusCode);
    }

    [Fact]
    public async Task Metrics_endpoint_is_absent_by_default()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(WithRootSite(TestSites.Settings(store)));
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), "root/metrics", "an object called metrics"u8.ToArray());

        using HttpResponseMessage metrics = await gateway.Client.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Null(gateway.MetricsAddress);
        Assert.Equal("an object called metrics", await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A site on 127.0.0.1 at <c>/</c>, serving keys under <c>root/</c>, so that <c>/metrics</c> is a download.</summary>
    private static Dictionary<string, string?> WithRootSite(Dictionary<string, string?> settings)
    {
        settings["Gateway:Sites:root:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:root:Store"] = "oss4";
        settings["Gateway:Sites:root:KeyPrefix"] = "root/";
        return settings;
    }

    [Fact]
    public async Task Changed_settings_file_takes_effect_without_restart_and_a_broken_one_is_ignored()
    {
        using var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "sites.json");
        string oldKey = $"serving/{Guid.NewGuid():N}/1.0.0/app.zip";
        string newKey = $"serving/{Guid.NewGuid():N}/2.0.0/app.zip";
        await File.WriteAllTextAsync(file, AliasJson(oldKey), TestContext.Current.CancellationToken);
        byte[] oldRelease = RandomNumberGenerator.GetBytes(100);
        byte[] newRelease = RandomNumberGenerator.GetBytes(200);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), oldKey, oldRelease);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), newKey, newRelease);
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store), configureFiles: configuration => configuration.AddJsonFile(file, optional: false, reloadOnChange: true));
        Assert.Equal(oldRelease, await gateway.Client.GetByteArrayAsync("/oss4/stable/app.zip", TestContext.Current.CancellationToken));

        await File.WriteAllTextAsync(file, AliasJson(newKey), TestContext.Current.CancellationToken);
        await WaitForAsync(async () => (await gateway.Client.GetByteArrayAsync("/oss4/stable/app.zip", TestContext.Current.CancellationToken)).SequenceEqual(newRelease));

        await File.WriteAllTextAsync(file, AliasJson("releases/../escape.zip"), TestContext.Current.CancellationToken);
        await WaitForAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.Contains("was not applied", StringComparison.Ordinal))));
        Assert.Equal(newRelease, await gateway.Client.GetByteArrayAsync("/oss4/stable/app.zip", TestContext.Current.CancellationToken));
    }

    private static string AliasJson(string key)
        => $$"""{ "Gateway": { "Sites": { "proxy-OssV4": { "Aliases": { "/oss4/stable/app.zip": { "Key": "{{key}}" } } } } } }""";

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}

/// <summary>Kestrel's limits are set deliberately in appsettings.json (Kestrel:Limits) and reach the server.</summary>
public sealed class KestrelLimitsTests(TestStore store)
{
    [Fact]
    public async Task Limits_from_appsettings_reach_kestrel()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store));

        Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits limits =
            gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits;

        Assert.Equal(8192, limits.MaxRequestLineSize);
        Assert.Equal(32768, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(1048576, limits.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromMinutes(2), limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.RequestHeadersTimeout);
        Assert.Equal(240, limits.MinResponseDataRate?.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.MinResponseDataRate?.GracePeriod);
    }
}
