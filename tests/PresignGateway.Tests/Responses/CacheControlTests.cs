using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// Cache-Control as a real client sees it: per alias, per path prefix and per site on successes, the site's
/// NotFoundCacheControl on a missing object's 404 (other errors stay no-store), and a redirect's max-age and s-maxage
/// capped at the presigned URL's usable life.
/// </summary>
public sealed class CacheControlTests(TestStore store)
{
    [Fact]
    public async Task Successes_take_the_alias_then_the_longest_rule_then_the_site()
    {
        string folder = $"cc/{Guid.NewGuid():N}/";
        await using GatewayHost gateway = await StartAsync(folder);
        foreach (string name in new[] { "plain.bin", "v/1.0/app.bin", "v/1.0/beta/app.bin", "alias.bin" })
        {
            await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), folder + name, RandomNumberGenerator.GetBytes(32), cacheControl: "public, max-age=5");
        }

        Assert.Equal("public, max-age=600", await CacheControlAsync(gateway, "/cc/" + folder + "plain.bin", HttpStatusCode.OK));
        Assert.Equal("public, max-age=31536000, immutable", await CacheControlAsync(gateway, "/cc/" + folder + "v/1.0/app.bin", HttpStatusCode.OK));
        Assert.Equal("no-cache", await CacheControlAsync(gateway, "/cc/" + folder + "v/1.0/beta/app.bin", HttpStatusCode.OK));
        Assert.Equal("public, max-age=30", await CacheControlAsync(gateway, "/cc/" + folder + "v/latest.bin", HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_missing_object_s_404_carries_the_site_s_NotFoundCacheControl_and_other_errors_stay_no_store()
    {
        await using GatewayHost gateway = await StartAsync($"cc/{Guid.NewGuid():N}/");
        string missing = $"cc/{Guid.NewGuid():N}/missing.bin";

        Assert.Equal("public, max-age=10", await CacheControlAsync(gateway, "/cc/" + missing, HttpStatusCode.NotFound));
        // The default: a site without the setting.
        Assert.Equal("no-store", await CacheControlAsync(gateway, TestSites.PathFor(StoreKind.OssV4, false, missing), HttpStatusCode.NotFound));
        // No site serves the path: not a missing object, never cached.
        Assert.Equal("no-store", await CacheControlAsync(gateway, "/no-site-here/x.bin", HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task A_redirect_s_max_age_and_s_maxage_are_capped_at_the_url_s_usable_life()
    {
        await using GatewayHost gateway = await StartAsync($"cc/{Guid.NewGuid():N}/");
        string key = $"cc/{Guid.NewGuid():N}/r.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(32));

        using HttpResponseMessage response = await gateway.Client.GetAsync("/rcc/" + key, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        System.Net.Http.Headers.CacheControlHeaderValue cacheControl = response.Headers.CacheControl!;
        Assert.True(cacheControl.Public, cacheControl.ToString());
        Assert.True(cacheControl.NoTransform, cacheControl.ToString());
        // The URL lives an hour; the refresh margin (RefreshBefore, 5 minutes) is taken off, so not the 999999 configured.
        Assert.InRange(cacheControl.MaxAge!.Value.TotalSeconds, 3000, 3600 - 300);
        Assert.Equal(cacheControl.MaxAge, cacheControl.SharedMaxAge);
    }

    private static async Task<string> CacheControlAsync(GatewayHost gateway, string path, HttpStatusCode expected)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(expected, response.StatusCode);
        return response.Headers.NonValidated["Cache-Control"].ToString();
    }

    /// <param name="folder">Where the rules and the alias point: <c>v/</c> immutable, <c>v/1.0/beta/</c> no-cache, <c>v/latest.bin</c> an alias.</param>
    private async Task<GatewayHost> StartAsync(string folder)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:cc:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:cc:PathPrefix"] = "/cc";
        settings["Gateway:Sites:cc:Store"] = "oss4";
        settings["Gateway:Sites:cc:CacheControl"] = "public, max-age=600";
        settings["Gateway:Sites:cc:NotFoundCacheControl"] = "public, max-age=10";
        settings["Gateway:Sites:cc:CacheRules:0:PathPrefix"] = $"/cc/{folder}v/";
        settings["Gateway:Sites:cc:CacheRules:0:CacheControl"] = "public, max-age=31536000, immutable";
        settings["Gateway:Sites:cc:CacheRules:1:PathPrefix"] = $"/cc/{folder}v/1.0/beta/";
        settings["Gateway:Sites:cc:CacheRules:1:CacheControl"] = "no-cache";
        settings[$"Gateway:Sites:cc:Aliases:/cc/{folder}v/latest.bin:Key"] = folder + "alias.bin";
        settings[$"Gateway:Sites:cc:Aliases:/cc/{folder}v/latest.bin:CacheControl"] = "public, max-age=30";
        settings["Gateway:Sites:rcc:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:rcc:PathPrefix"] = "/rcc";
        settings["Gateway:Sites:rcc:Store"] = "oss4";
        settings["Gateway:Sites:rcc:Mode"] = "Redirect";
        settings["Gateway:Sites:rcc:RedirectCacheControl"] = "public, max-age=999999, s-maxage=999999, no-transform";
        return await GatewayHost.StartAsync(settings);
    }
}
