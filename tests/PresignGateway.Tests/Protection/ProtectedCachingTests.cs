using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Protection;

/// <summary>
/// A protected site's successes are never stored by a shared cache: without a CacheControl they carry 'private'
/// (not the store's Cache-Control), in every success (200, 206, 304, HEAD) and both modes; and a real nginx
/// proxy_cache in front never hands a protected 200 to a client the gateway would refuse.
/// </summary>
public sealed class ProtectedCachingTests(TestStore store)
{
    private const string StoreCacheControl = "public, max-age=600, s-maxage=600";

    [Fact]
    public async Task Protected_successes_are_private_whatever_the_store_says()
    {
        await using GatewayHost gateway = await StartAsync(Referers(allowEmpty: true));
        string key = await UploadAsync();
        string path = "/protected/" + key;

        using HttpResponseMessage full = await gateway.Client.GetAsync(path, TestContext.Current.CancellationToken);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Range = new RangeHeaderValue(0, 9) } };
        using HttpResponseMessage range = await gateway.Client.SendAsync(rangeRequest, TestContext.Current.CancellationToken);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(full.Headers.ETag!);
        using HttpResponseMessage notModified = await gateway.Client.SendAsync(conditional, TestContext.Current.CancellationToken);
        using HttpResponseMessage head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), TestContext.Current.CancellationToken);

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.PartialContent, HttpStatusCode.NotModified, HttpStatusCode.OK],
            [full.StatusCode, range.StatusCode, notModified.StatusCode, head.StatusCode]);
        foreach (HttpResponseMessage response in new[] { full, range, notModified, head })
        {
            Assert.Equal("private", response.Headers.NonValidated["Cache-Control"].ToString());
        }
    }

    [Fact]
    public async Task Configured_private_cache_control_is_kept_on_a_protected_site()
    {
        Dictionary<string, string?> site = Referers(allowEmpty: true);
        site["CacheControl"] = "private, max-age=60";
        await using GatewayHost gateway = await StartAsync(site);
        string key = await UploadAsync();

        using HttpResponseMessage response = await gateway.Client.GetAsync("/protected/" + key, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("private, max-age=60", response.Headers.NonValidated["Cache-Control"].ToString());
    }

    [Fact]
    public async Task Protected_redirect_is_private()
    {
        Dictionary<string, string?> site = Referers(allowEmpty: true);
        site["Mode"] = "Redirect";
        await using GatewayHost gateway = await StartAsync(site);
        string key = await UploadAsync();

        using HttpResponseMessage response = await gateway.Client.GetAsync("/protected/" + key, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.Private, response.Headers.CacheControl?.ToString());
        Assert.False(response.Headers.CacheControl?.Public);
        Assert.Null(response.Headers.CacheControl?.SharedMaxAge);
    }

    /// <summary>
    /// The reviewer's attack with a real cache: an allowed Referer fetches through nginx first, then clients without a
    /// Referer or with a foreign one ask for the same URL. They must reach the gateway and be refused. The unprotected
    /// site proves the cache does store what it may.
    /// </summary>
    [Fact]
    public async Task Nginx_proxy_cache_never_serves_a_protected_200_to_a_refused_client()
    {
        await using GatewayHost gateway = await StartAsync(Referers(allowEmpty: false));
        await using NginxCache nginx = await NginxCache.StartAsync(gateway.BaseAddress);
        string key = await UploadAsync();
        string protectedPath = "/protected/" + key;
        string publicPath = TestSites.PathFor(StoreKind.OssV4, false, key);

        (HttpStatusCode Status, string? Cache) allowed = await ThroughAsync(nginx, protectedPath, "https://example.com/page");
        (HttpStatusCode Status, string? Cache) noReferer = await ThroughAsync(nginx, protectedPath, null);
        (HttpStatusCode Status, string? Cache) badReferer = await ThroughAsync(nginx, protectedPath, "https://evil.test/");
        (HttpStatusCode Status, string? Cache) allowedAgain = await ThroughAsync(nginx, protectedPath, "https://example.com/page");
        (HttpStatusCode Status, string? Cache) publicFirst = await ThroughAsync(nginx, publicPath, null);
        (HttpStatusCode Status, string? Cache) publicSecond = await ThroughAsync(nginx, publicPath, null);

        Assert.True(nginx.Errors.Length == 0 || !nginx.Errors.Contains("[emerg]", StringComparison.Ordinal), nginx.Errors);
        Assert.Equal((HttpStatusCode.OK, "MISS"), allowed);
        Assert.Equal(HttpStatusCode.Forbidden, noReferer.Status);
        Assert.Equal(HttpStatusCode.Forbidden, badReferer.Status);
        Assert.Equal((HttpStatusCode.OK, "MISS"), allowedAgain);
        // The cache works: the unprotected site's public response is stored and served again.
        Assert.Equal((HttpStatusCode.OK, "MISS"), publicFirst);
        Assert.Equal((HttpStatusCode.OK, "HIT"), publicSecond);
    }

    private static async Task<(HttpStatusCode Status, string? Cache)> ThroughAsync(NginxCache nginx, string path, string? referer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (referer is not null)
        {
            request.Headers.TryAddWithoutValidation("Referer", referer);
        }

        using HttpResponseMessage response = await nginx.Client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, response.Headers.TryGetValues("X-Cache-Status", out IEnumerable<string>? values) ? string.Join(",", values) : null);
    }

    private static Dictionary<string, string?> Referers(bool allowEmpty) => new()
    {
        ["Protection:Referers:Allowed:0"] = "example.com",
        ["Protection:Referers:AllowEmpty"] = allowEmpty ? "true" : "false",
    };

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?> site)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:protected:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:protected:PathPrefix"] = "/protected";
        settings["Gateway:Sites:protected:Store"] = "oss4";
        foreach ((string name, string? value) in site)
        {
            settings["Gateway:Sites:protected:" + name] = value;
        }

        return await GatewayHost.StartAsync(settings);
    }

    /// <summary>An object whose own Cache-Control invites every cache to keep it.</summary>
    private async Task<string> UploadAsync()
    {
        string key = $"protected/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(100), cacheControl: StoreCacheControl);
        return key;
    }
}
