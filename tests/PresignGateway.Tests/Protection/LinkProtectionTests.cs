using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Protection;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Protection;

/// <summary>Per-site protection through the real pipeline: Referer allow-list, client networks, signed links, rate limits.</summary>
public sealed class LinkProtectionTests(TestStore store)
{
    private const string SecretA = "first-link-secret-0123456789abcdef";
    private const string SecretB = "second-link-secret-fedcba9876543210";

    [Theory]
    [InlineData("https://example.com/page", false, HttpStatusCode.OK)]
    [InlineData("https://downloads.example.org/x", false, HttpStatusCode.OK)]
    [InlineData("https://example.org/x", false, HttpStatusCode.Forbidden)]
    [InlineData("https://evil.test/page", false, HttpStatusCode.Forbidden)]
    [InlineData("not a url", false, HttpStatusCode.Forbidden)]
    [InlineData(null, false, HttpStatusCode.Forbidden)]
    [InlineData(null, true, HttpStatusCode.OK)]
    public async Task Referer_allow_list_with_an_empty_referer_policy(string? referer, bool allowEmpty, HttpStatusCode expected)
    {
        await using GatewayHost gateway = await StartAsync(new()
        {
            ["Protection:Referers:Allowed:0"] = "example.com",
            ["Protection:Referers:Allowed:1"] = "*.example.org",
            ["Protection:Referers:AllowEmpty"] = allowEmpty ? "true" : "false",
        });
        string key = await UploadAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/protected/" + key);
        if (referer is not null)
        {
            request.Headers.TryAddWithoutValidation("Referer", referer);
        }

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await store.RequestsForAsync(key));
        }
    }

    [Theory]
    [InlineData("AllowedNetworks", "10.0.0.0/8", null, false, HttpStatusCode.Forbidden)]
    [InlineData("AllowedNetworks", "127.0.0.0/8", null, false, HttpStatusCode.OK)]
    [InlineData("DeniedNetworks", "127.0.0.1", null, false, HttpStatusCode.Forbidden)]
    [InlineData("AllowedNetworks", "10.0.0.0/8", "10.1.2.3", true, HttpStatusCode.OK)]
    [InlineData("AllowedNetworks", "10.0.0.0/8", "10.1.2.3", false, HttpStatusCode.Forbidden)]
    [InlineData("DeniedNetworks", "203.0.113.0/24", "203.0.113.9", true, HttpStatusCode.Forbidden)]
    public async Task Client_networks_honour_forwarded_for_only_from_trusted_proxies(string list, string network, string? forwardedFor, bool trustLoopback, HttpStatusCode expected)
    {
        var protection = new Dictionary<string, string?> { [$"Protection:{list}:0"] = network };
        Dictionary<string, string?> extra = trustLoopback ? new() { ["Gateway:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" } : [];
        await using GatewayHost gateway = await StartAsync(protection, extra);
        string key = await UploadAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/protected/" + key);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public void Ipv6_networks_are_matched_and_mapped_ipv4_is_seen_as_ipv4()
    {
        var protection = new SiteProtection(
            [IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("192.0.2.0/24")], [IPNetwork.Parse("2001:db8:bad::/48")], null, true, []);

        Assert.Null(protection.Check(Context(IPAddress.Parse("2001:db8:1::5")), "/a", DateTimeOffset.UtcNow));
        Assert.NotNull(protection.Check(Context(IPAddress.Parse("2001:db8:bad::1")), "/a", DateTimeOffset.UtcNow));
        Assert.NotNull(protection.Check(Context(IPAddress.Parse("2001:db9::1")), "/a", DateTimeOffset.UtcNow));
        Assert.Null(protection.Check(Context(IPAddress.Parse("::ffff:192.0.2.7")), "/a", DateTimeOffset.UtcNow));

        static Microsoft.AspNetCore.Http.DefaultHttpContext Context(IPAddress address) => new() { Connection = { RemoteIpAddress = address } };
    }

    [Fact]
    public async Task Signed_links_verify_with_every_secret_and_refuse_expired_tampered_or_moved_links()
    {
        await using GatewayHost gateway = await StartAsync(new()
        {
            ["Protection:SignedLinks:Secrets:0"] = SecretA,
            ["Protection:SignedLinks:Secrets:1"] = SecretB,
        });
        string key = await UploadAsync();
        string other = await UploadAsync();
        string path = "/protected/" + key;
        long future = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, path + "?" + LinkSignature.QueryFor(Encoding.UTF8.GetBytes(SecretA), path, future)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, path + "?" + LinkSignature.QueryFor(Encoding.UTF8.GetBytes(SecretB), path, future)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, path));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, path + "?" + LinkSignature.QueryFor(Encoding.UTF8.GetBytes(SecretA), path, DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds())));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, path + "?" + LinkSignature.QueryFor(Encoding.UTF8.GetBytes("an-unknown-secret-0123456789"), path, future)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, "/protected/" + other + "?" + LinkSignature.QueryFor(Encoding.UTF8.GetBytes(SecretA), path, future)));
        string good = LinkSignature.QueryFor(Encoding.UTF8.GetBytes(SecretA), path, future);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, path + "?" + good.Replace("expires=" + future.ToString(CultureInfo.InvariantCulture), "expires=" + (future + 3600).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, path + "?" + good + "&sig=AAAA"));
    }

    [Fact]
    public async Task Link_from_the_sign_link_command_is_accepted()
    {
        await using GatewayHost gateway = await StartAsync(new() { ["Protection:SignedLinks:Secrets:0"] = SecretA });
        string key = await UploadAsync("年报 2024+v1.pdf");
        string url = new Uri(gateway.BaseAddress, "/protected/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString))).AbsoluteUri;

        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll"), "sign-link", "--url", url, "--expires-in", "600"],
            new Dictionary<string, string?> { ["GATEWAY_LINK_SECRET"] = SecretA }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        string link = stdout.TrimEnd('\n');
        Assert.StartsWith(url + "?expires=", link, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, link[gateway.BaseAddress.AbsoluteUri.Length..].Insert(0, "/")));
    }

    [Fact]
    public async Task Site_rate_limit_answers_429_with_retry_after()
    {
        await using GatewayHost gateway = await StartAsync(new()
        {
            ["Protection:RateLimit:PermitsPerSecond"] = "1",
            ["Protection:RateLimit:Burst"] = "3",
        });
        string key = await UploadAsync();

        HttpStatusCode[] statuses = new HttpStatusCode[5];
        for (int i = 0; i < statuses.Length; i++)
        {
            statuses[i] = await StatusAsync(gateway, "/protected/" + key);
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        using HttpResponseMessage limited = await gateway.Client.GetAsync("/protected/" + key, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        using HttpResponseMessage health = await gateway.Client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Client_rate_limit_applies_across_sites()
    {
        await using GatewayHost gateway = await StartAsync([], new()
        {
            ["Gateway:ClientRateLimit:PermitsPerSecond"] = "1",
            ["Gateway:ClientRateLimit:Burst"] = "2",
        });
        string key = await UploadAsync();

        HttpStatusCode first = await StatusAsync(gateway, "/protected/" + key);
        HttpStatusCode second = await StatusAsync(gateway, TestSites.PathFor(StoreKind.OssV4, false, key));
        HttpStatusCode third = await StatusAsync(gateway, TestSites.PathFor(StoreKind.OssV4, false, key));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], [first, second, third]);
    }

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?> protection, Dictionary<string, string?>? extra = null)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:protected:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:protected:PathPrefix"] = "/protected";
        settings["Gateway:Sites:protected:Store"] = "oss4";
        foreach ((string name, string? value) in protection)
        {
            settings["Gateway:Sites:protected:" + name] = value;
        }

        foreach ((string name, string? value) in extra ?? [])
        {
            settings[name] = value;
        }

        return await GatewayHost.StartAsync(settings);
    }

    private async Task<string> UploadAsync(string name = "file.bin")
    {
        string key = $"protected/{Guid.NewGuid():N}/{name}";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(100));
        return key;
    }

    private static async Task<HttpStatusCode> StatusAsync(GatewayHost gateway, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseAddress, pathAndQuery));
        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
