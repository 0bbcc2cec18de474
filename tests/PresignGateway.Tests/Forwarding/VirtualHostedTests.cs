using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using PresignGateway.Signing.Tests;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>A gateway whose stores use virtual-hosted addressing on the assembly's test store.</summary>
public sealed class VirtualHostedGateway(TestStore store) : IAsyncLifetime
{
    internal GatewayHost Host { get; private set; } = null!;

    public TestStore Store => store;

    public async ValueTask InitializeAsync()
    {
        // Fail here, with what to install, rather than with a connect error in every test.
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            await LoopbackNames.EnsureLoopbackAsync($"{TestSites.VirtualHostedBucket(kind)}.{TestStore.VirtualHostBase}");
        }

        Host = await GatewayHost.StartAsync(TestSites.VirtualHostedSettings(store));
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}

/// <summary>
/// Virtual-hosted addressing end to end: the gateway signs for <c>http://&lt;bucket&gt;.localhost:PORT/key</c>, connects
/// there (the name resolves to 127.0.0.1 through libnss-myhostname), and the store finds the bucket from the Host
/// alone and verifies the signature with the SDK code. For OSS V4, OSS V1 and S3, in proxy and redirect mode.
/// </summary>
public sealed class VirtualHostedTests(VirtualHostedGateway gateway) : IClassFixture<VirtualHostedGateway>
{
    private static readonly string[] HostileKeys =
    [
        "plus+plus.txt", "'(1).txt", "a=b@c", "%bad%name%", "double  spaces.txt", "报告/2024年度报告.pdf", "a//b///c.txt",
        "q/a#b?c&d=e.txt", "tilde~star*bang!.txt", "[brackets]{braces}|pipe^caret`.txt", "vhost-oss4/looks-like-a-bucket.txt",
    ];

    private TestStore Store => gateway.Store;

    private HttpClient Client => gateway.Host.Client;

    public static TheoryData<StoreKind, bool> Layouts() => DownloadPipelineTests.Layouts();

    public static TheoryData<StoreKind> Kinds() => DownloadPipelineTests.Kinds();

    [Fact]
    public async Task Bucket_names_resolve_to_loopback_only()
    {
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync($"{TestSites.VirtualHostedBucket(kind)}.localhost", TestContext.Current.CancellationToken);

            Assert.NotEmpty(addresses);
            Assert.All(addresses, address => Assert.True(IPAddress.IsLoopback(address), $"{address} is not loopback"));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Get_is_byte_exact_and_the_store_found_the_bucket_from_the_host(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "report 2024.pdf", 70_000, "application/pdf");

        using HttpResponseMessage response = await DownloadAsync(kind, redirect, key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("report 2024.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
        AssertVirtualHosted(kind, received, 200);
        Assert.StartsWith("/e2e/", received.Url, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Head_and_ranges_are_signed_for_the_bucket_host(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "ranged.bin", 1000);

        using HttpResponseMessage head = await DownloadAsync(kind, redirect, key, method: HttpMethod.Head);
        using HttpResponseMessage suffix = await DownloadAsync(kind, redirect, key, request => request.Headers.Range = RangeHeaderValue.Parse("bytes=-100"));
        using HttpResponseMessage middle = await DownloadAsync(kind, redirect, key, request => request.Headers.Range = new RangeHeaderValue(100, 199));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1000, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.PartialContent, suffix.StatusCode);
        Assert.Equal("bytes 900-999/1000", suffix.Content.Headers.ContentRange?.ToString());
        Assert.Equal(content[900..], await suffix.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(content[100..200], await middle.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        IReadOnlyList<RecordedRequest> received = await Store.RequestsForAsync(key);
        Assert.Equal(["HEAD", "GET", "GET"], received.Select(r => r.Method));
        AssertVirtualHosted(kind, received[0], 200);
        AssertVirtualHosted(kind, received[1], 206);
        AssertVirtualHosted(kind, received[2], 206);
        Assert.Equal("bytes=100-199", received[2].Headers["range"]);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Hostile_keys_are_found_under_the_bucket_host(StoreKind kind, bool redirect)
    {
        string folder = $"hostile/{Guid.NewGuid():N}/";
        foreach (string name in HostileKeys)
        {
            string key = folder + name;
            byte[] content = RandomNumberGenerator.GetBytes(500 + name.Length);
            await Store.PutObjectAsync(TestSites.VirtualHostedBucket(kind), key, content);

            using HttpResponseMessage response = await DownloadAsync(kind, redirect, key);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{kind} {(redirect ? "redirect" : "proxy")} '{name}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
            RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
            AssertVirtualHosted(kind, received, 200);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Redirect_carries_signed_overrides_to_the_bucket_host(StoreKind kind)
    {
        (string key, _) = await UploadAsync(kind, "photo.jpg", 100, "image/jpeg");

        using HttpResponseMessage redirect = await Client.GetAsync(
            TestSites.VirtualHostedPathFor(kind, true, key) + "?versionId=v%2B1&filename=" + Uri.EscapeDataString("été 2024.jpg") + "&utm_source=mail",
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        string location = redirect.Headers.Location!.OriginalString;
        (string origin, string path, string query) = UrlComparison.Split(location);
        Assert.Equal($"http://{Store.VirtualHost(TestSites.VirtualHostedBucket(kind))}", origin);
        Assert.StartsWith("/e2e/", path, StringComparison.Ordinal);
        List<string> signedQuery = UrlComparison.DecodeQuery(query);
        Assert.Contains("versionId=v+1", signedQuery);
        Assert.Contains(signedQuery, pair => pair.StartsWith("response-content-disposition=attachment", StringComparison.Ordinal));
        Assert.DoesNotContain(signedQuery, pair => pair.StartsWith("utm_source", StringComparison.Ordinal));

        using HttpResponseMessage followed = await FollowAsync(location, HttpMethod.Get, null);

        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal("été 2024.jpg", followed.Content.Headers.ContentDisposition?.FileNameStar);
        RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
        AssertVirtualHosted(kind, received, 200);
        Assert.Equal(path + "?" + query, received.Url);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_url_signed_for_one_bucket_host_is_refused_on_another(StoreKind kind)
    {
        // The negative control: the store's verdict depends on the Host, so the passes above mean something.
        (string key, _) = await UploadAsync(kind, "moved.bin", 10);
        await Store.PutObjectAsync("vhost-other", key, new byte[10]);
        using HttpResponseMessage redirect = await Client.GetAsync(TestSites.VirtualHostedPathFor(kind, true, key), TestContext.Current.CancellationToken);
        (_, string path, string query) = UrlComparison.Split(redirect.Headers.Location!.OriginalString);

        using HttpResponseMessage moved = await FollowAsync($"http://{Store.VirtualHost("vhost-other")}{path}?{query}", HttpMethod.Get, null);

        Assert.Equal(HttpStatusCode.Forbidden, moved.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await moved.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Curl_follows_the_redirect_to_the_virtual_hosted_url(StoreKind kind)
    {
        (string key, byte[] content) = await UploadAsync(kind, "notes.txt", 5000, "text/plain");
        using var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "notes.txt");
        string url = new Uri(gateway.Host.BaseAddress, TestSites.VirtualHostedPathFor(kind, true, key)).AbsoluteUri;

        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "curl", ["-sS", "-f", "-L", "-o", file, "-w", "%{url_effective}", url], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith($"http://{Store.VirtualHost(TestSites.VirtualHostedBucket(kind))}/e2e/", stdout, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
        AssertVirtualHosted(kind, received, 200);
        Assert.StartsWith("curl/", received.Headers["user-agent"], StringComparison.Ordinal);
    }

    /// <summary>The store saw the bucket's own host, took the bucket from it, and served only after the signature checked out.</summary>
    private void AssertVirtualHosted(StoreKind kind, RecordedRequest received, int status)
    {
        string bucket = TestSites.VirtualHostedBucket(kind);
        Assert.Equal(Store.VirtualHost(bucket), received.Host);
        Assert.Equal(bucket, received.Bucket);
        Assert.Equal("virtual-hosted", received.Other?["addressing"].GetString());
        Assert.Equal(kind switch { StoreKind.OssV4 => "oss-v4", StoreKind.OssV1 => "oss-v1", _ => "s3-v4" }, received.Auth);
        Assert.Null(received.ErrorCode);
        Assert.Equal(status, received.Status);
        Assert.False(received.Url.StartsWith($"/{bucket}/", StringComparison.Ordinal), "The bucket belongs in the Host, not the path.");
    }

    private async Task<(string Key, byte[] Content)> UploadAsync(StoreKind kind, string name, int size, string contentType = "application/octet-stream")
    {
        string key = $"e2e/{Guid.NewGuid():N}/{name}";
        byte[] content = RandomNumberGenerator.GetBytes(size);
        await Store.PutObjectAsync(TestSites.VirtualHostedBucket(kind), key, content, contentType);
        return (key, content);
    }

    /// <summary>GET or HEAD through the gateway; in redirect mode, follows the 302 to the store with the same headers.</summary>
    private async Task<HttpResponseMessage> DownloadAsync(StoreKind kind, bool redirect, string key, Action<HttpRequestMessage>? configure = null, HttpMethod? method = null)
    {
        method ??= HttpMethod.Get;
        using var request = new HttpRequestMessage(method, TestSites.VirtualHostedPathFor(kind, redirect, key));
        configure?.Invoke(request);
        HttpResponseMessage response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        if (!redirect)
        {
            return response;
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            return await FollowAsync(response.Headers.Location!.OriginalString, method, configure);
        }
    }

    private static async Task<HttpResponseMessage> FollowAsync(string location, HttpMethod method, Action<HttpRequestMessage>? configure)
    {
        using HttpClient direct = GatewayHost.CreateClient();
        using var request = new HttpRequestMessage(method, new Uri(location, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        configure?.Invoke(request);
        return await direct.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
