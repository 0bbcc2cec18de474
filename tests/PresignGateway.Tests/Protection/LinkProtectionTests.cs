using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using PresignGateway.Protection;
using PresignGateway.Sites;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Protection;

/// <summary>Per-site protection through the real pipeline: Referer allow-list, client networks, signed links, rate limits.</summary>
public sealed class LinkProtectionTests(TestStore store)
{
    private const string SecretA = "first-link-secret-0123456789abcdef";
    private const string SecretB = "second-link-secret-fedcba9876543210";
    private const string Host = "127.0.0.1";
    private const string MirrorHost = "mirror.example.test";

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

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Sign(SecretA, Host, path, future)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, Sign(SecretB, Host, path, future)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, path));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, Sign(SecretA, Host, path, DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds())));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, Sign("an-unknown-secret-0123456789", Host, path, future)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, "/protected/" + other + Sign(SecretA, Host, path, future)[path.Length..]));
        string good = Sign(SecretA, Host, path, future);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, good.Replace("expires=" + future.ToString(CultureInfo.InvariantCulture), "expires=" + (future + 3600).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, good + "&sig=AAAA"));
    }

    /// <summary>
    /// Two sites share a secret and serve the same path on different hosts from different buckets: a link signed
    /// for one is refused by the other (it used to be accepted, since the MAC covered only path and expiry).
    /// </summary>
    [Fact]
    public async Task Link_signed_for_one_site_is_refused_by_another_with_the_same_secret()
    {
        await using GatewayHost gateway = await StartAsync(
            new() { ["Protection:SignedLinks:Secrets:0"] = SecretA },
            new()
            {
                ["Gateway:Sites:mirror:Hosts:0"] = MirrorHost,
                ["Gateway:Sites:mirror:PathPrefix"] = "/protected",
                ["Gateway:Sites:mirror:Store"] = "s3",
                ["Gateway:Sites:mirror:Protection:SignedLinks:Secrets:0"] = SecretA,
            });
        string key = await UploadAsync();
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), key, RandomNumberGenerator.GetBytes(100));
        string path = "/protected/" + key;
        long future = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        string forProtected = Sign(SecretA, Host, path, future);
        string forMirror = Sign(SecretA, MirrorHost, path, future);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, forProtected));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, forMirror, MirrorHost));
        // The port and the case of the host are not part of what is signed.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, forMirror, "Mirror.Example.TEST:" + gateway.BaseAddress.Port.ToString(CultureInfo.InvariantCulture)));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, forProtected, MirrorHost));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, forMirror));
        // Only the three accepted links reached a store.
        Assert.Equal(3, (await store.RequestsForAsync(key)).Count);
    }

    public static TheoryData<string> AddedParameters() => new()
    {
        "filename=evil.html", "download", "download=", "inline", "versionId=CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjBkNzEyNzFl",
        "x-oss-process=image/resize,w_10", "FILENAME=evil.html", "filename=", "VersionId=v1",
    };

    [Theory]
    [MemberData(nameof(AddedParameters))]
    public async Task Honoured_parameter_added_to_a_signed_link_is_refused(string added)
    {
        await using GatewayHost gateway = await StartAsync(new()
        {
            ["Protection:SignedLinks:Secrets:0"] = SecretA,
            ["AllowedQuery:0"] = "filename",
            ["AllowedQuery:1"] = "versionId",
            ["AllowedQuery:2"] = "x-oss-process",
        });
        string key = await UploadAsync();
        string path = "/protected/" + key;
        string link = Sign(SecretA, Host, path, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());

        using HttpResponseMessage response = await gateway.Client.GetAsync(link + "&" + added, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("not valid for this host, path and query", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await store.RequestsForAsync(key));
    }

    [Fact]
    public async Task Signed_parameters_are_honoured_and_cannot_be_changed_or_dropped()
    {
        await using GatewayHost gateway = await StartAsync(new()
        {
            ["Protection:SignedLinks:Secrets:0"] = SecretA,
            ["AllowedQuery:0"] = "filename",
        });
        string key = await UploadAsync();
        string path = "/protected/" + key;
        long future = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        string link = Sign(SecretA, Host, path + "?filename=%E5%B9%B4%E6%8A%A5+2024%2B.pdf&download", future);

        using HttpResponseMessage response = await gateway.Client.GetAsync(link, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("年报 2024+.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, link.Replace("filename=%E5%B9%B4", "filename=%E5%B9%B5", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, link.Replace("&download", "", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, link.Replace("&download", "&download&download", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Link_from_the_sign_link_command_is_accepted()
    {
        await using GatewayHost gateway = await StartAsync(new()
        {
            ["Protection:SignedLinks:Secrets:0"] = SecretA,
            ["AllowedQuery:0"] = "filename",
        });
        string key = await UploadAsync("年报 2024+v1.pdf");
        string url = new Uri(gateway.BaseAddress, "/protected/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString))).AbsoluteUri
            + "?filename=" + Uri.EscapeDataString("报告 (最终)+.pdf") + "&download";

        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll"), "sign-link", "--url", url, "--expires-in", "600"],
            new Dictionary<string, string?> { ["GATEWAY_LINK_SECRET"] = SecretA }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        string link = stdout.TrimEnd('\n');
        Assert.StartsWith(url + "&expires=", link, StringComparison.Ordinal);
        using HttpResponseMessage response = await gateway.Client.GetAsync(link, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("报告 (最终)+.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, link.Replace("&download", "", StringComparison.Ordinal)));
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

    /// <summary>The link for a path (and query, raw) on a host, signed as the sign-link command does.</summary>
    private static string Sign(string secret, string host, string pathAndQuery, long expiresAt)
    {
        int queryStart = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        string rawPath = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        Assert.True(RequestPath.TryDecode(rawPath, out string decodedPath, out _));
        var query = new QueryCollection(QueryHelpers.ParseQuery(queryStart < 0 ? null : pathAndQuery[queryStart..]));
        return pathAndQuery + (queryStart < 0 ? "?" : "&") + LinkSignature.QueryFor(Encoding.UTF8.GetBytes(secret), host, decodedPath, expiresAt, query);
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

    private static async Task<HttpStatusCode> StatusAsync(GatewayHost gateway, string pathAndQuery, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseAddress, pathAndQuery));
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
