using Microsoft.AspNetCore.Http;
using PresignGateway.Sites;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Sites;

/// <summary>
/// Where each Cache-Control comes from: an alias's own wins over the longest matching CacheRules prefix, which wins
/// over the site's CacheControl; redirects cap every max-age and s-maxage at the URL's usable life; and a protected
/// site refuses at start-up any of these settings that a shared cache may store.
/// </summary>
public sealed class CachePolicyTests
{
    private const string Host = "dl.example.com";

    private static Dictionary<string, string?> Settings()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "s", "/d", "main", Host);
        settings["Gateway:Sites:s:CacheControl"] = "public, max-age=600";
        settings["Gateway:Sites:s:CacheRules:0:PathPrefix"] = "/d/latest/";
        settings["Gateway:Sites:s:CacheRules:0:CacheControl"] = "public, max-age=60";
        settings["Gateway:Sites:s:CacheRules:1:PathPrefix"] = "/d/v";
        settings["Gateway:Sites:s:CacheRules:1:CacheControl"] = "public, max-age=31536000, immutable";
        settings["Gateway:Sites:s:CacheRules:2:PathPrefix"] = "/d/latest/nightly/";
        settings["Gateway:Sites:s:CacheRules:2:CacheControl"] = "no-cache";
        settings["Gateway:Sites:s:Aliases:/d/latest/app.zip:Key"] = "releases/app-2.0.zip";
        settings["Gateway:Sites:s:Aliases:/d/latest/app.zip:CacheControl"] = "public, max-age=30";
        settings["Gateway:Sites:s:Aliases:/d/latest/tool.zip:Key"] = "releases/tool-2.0.zip";
        return settings;
    }

    public static TheoryData<string, string> Precedence() => new()
    {
        // The alias's own setting, though two rules match its path.
        { "/d/latest/app.zip", "public, max-age=30" },
        // An alias without one: the rules, then the site.
        { "/d/latest/tool.zip", "public, max-age=60" },
        { "/d/latest/nightly/tool.zip", "no-cache" },
        { "/d/latest/x", "public, max-age=60" },
        { "/d/v1.2/app.zip", "public, max-age=31536000, immutable" },
        { "/d/latest", "public, max-age=600" },
        { "/d/other/app.zip", "public, max-age=600" },
        { "/d/x", "public, max-age=600" },
    };

    [Theory]
    [MemberData(nameof(Precedence))]
    public void Alias_wins_over_the_longest_rule_which_wins_over_the_site(string path, string expected)
    {
        SiteTable table = GatewaySettings.Build(Settings());

        Assert.True(DownloadResolver.TryResolve(table, Host, path, QueryCollection.Empty, out DownloadPlan plan, out _, out string detail), detail);
        Assert.Equal(expected, plan.CacheControl);
    }

    [Fact]
    public void Without_a_site_cache_control_unmatched_paths_pass_the_store_s_on()
    {
        Dictionary<string, string?> settings = Settings();
        settings.Remove("Gateway:Sites:s:CacheControl");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.True(DownloadResolver.TryResolve(table, Host, "/d/other/a.zip", QueryCollection.Empty, out DownloadPlan plan, out _, out _));
        Assert.Null(plan.CacheControl);
        Assert.True(DownloadResolver.TryResolve(table, Host, "/d/latest/a.zip", QueryCollection.Empty, out plan, out _, out _));
        Assert.Equal("public, max-age=60", plan.CacheControl);
    }

    public static TheoryData<string, long, string> RedirectCaps() => new()
    {
        { "private, max-age=999999", 3000, "private, max-age=3000" },
        { "private, max-age=60", 3000, "private, max-age=60" },
        { "public, max-age=86400, S-MaxAge=600,immutable", 300, "public, max-age=300, S-MaxAge=300, immutable" },
        { "public, s-maxage=100, max-age=5", 50, "public, s-maxage=50, max-age=5" },
        { "no-store", 3000, "no-store" },
        { "private, max-age=600", 0, "private, max-age=0" },
    };

    [Theory]
    [MemberData(nameof(RedirectCaps))]
    public void Redirect_max_age_and_s_maxage_are_capped_at_the_usable_life(string configured, long usableSeconds, string expected)
    {
        Dictionary<string, string?> settings = Settings();
        settings["Gateway:Sites:s:RedirectCacheControl"] = configured;

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);

        Assert.Equal(expected, site.RedirectCacheControl.Format(usableSeconds));
    }

    [Fact]
    public void Defaults_are_no_store_for_404_and_private_for_redirects()
    {
        Site site = Assert.Single(GatewaySettings.Build(Settings()).Sites);

        Assert.Equal("no-store", site.NotFoundCacheControl);
        Assert.Equal("private, max-age=1234", site.RedirectCacheControl.Format(1234));
    }

    public static TheoryData<string, string, string> ProtectedRefusals() => new()
    {
        { "Aliases:/d/latest/app.zip:CacheControl", "public, max-age=30", "Gateway:Sites:s:Aliases:/d/latest/app.zip:CacheControl 'public, max-age=30' has 'public'" },
        { "CacheRules:0:CacheControl", "max-age=60, s-maxage=60, private", "Gateway:Sites:s:CacheRules:0:CacheControl 'max-age=60, s-maxage=60, private' has 's-maxage'" },
        { "NotFoundCacheControl", "public, max-age=10", "Gateway:Sites:s:NotFoundCacheControl 'public, max-age=10' has 'public'" },
        { "RedirectCacheControl", "max-age=60", "Gateway:Sites:s:RedirectCacheControl 'max-age=60' has neither 'private' nor 'no-store'" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRefusals))]
    public void A_protected_site_refuses_each_setting_a_shared_cache_may_store(string setting, string value, string expectedStart)
    {
        Dictionary<string, string?> settings = Settings();
        settings.Remove("Gateway:Sites:s:CacheControl");
        foreach (string rule in new[] { "0", "1", "2" })
        {
            settings[$"Gateway:Sites:s:CacheRules:{rule}:CacheControl"] = "private, max-age=60";
        }

        settings["Gateway:Sites:s:Aliases:/d/latest/app.zip:CacheControl"] = "no-store";
        settings["Gateway:Sites:s:Protection:Referers:Allowed:0"] = "example.com";
        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);
        Assert.Equal("private", site.CacheControl);

        settings["Gateway:Sites:s:" + setting] = value;
        string error = Assert.Single(GatewaySettings.Errors(settings));
        Assert.StartsWith(expectedStart + ", but the site restricts access", error, StringComparison.Ordinal);
        Assert.Contains("Protection:OriginSecret", error, StringComparison.Ordinal);

        // With the origin secret as the only protection, the same value is fine: the CDN decides who gets the copy.
        settings.Remove("Gateway:Sites:s:Protection:Referers:Allowed:0");
        settings["Gateway:Sites:s:Protection:OriginSecret:Header"] = "X-Origin-Secret";
        settings["Gateway:Sites:s:Protection:OriginSecret:Values:0"] = "origin-secret-0123456789abcdef";
        Assert.False(Assert.Single(GatewaySettings.Build(settings).Sites).Protection.RestrictsAccess);
    }

    public static TheoryData<string, string?, string> Mistakes() => new()
    {
        { "CacheRules:0:PathPrefix", "/other/", "Gateway:Sites:s:CacheRules:0:PathPrefix '/other/' must be a full request path under the site's PathPrefix '/d', written decoded, without '?' or '%', such as '/d/latest/'." },
        { "CacheRules:0:PathPrefix", "/d/a%20b/", "Gateway:Sites:s:CacheRules:0:PathPrefix '/d/a%20b/' must be a full request path under the site's PathPrefix '/d', written decoded, without '?' or '%', such as '/d/latest/'." },
        { "CacheRules:0:PathPrefix", "/d/v", "Gateway:Sites:s:CacheRules:1:PathPrefix '/d/v' is given twice: keep one rule per prefix." },
        { "CacheRules:0:CacheControl", null, "Gateway:Sites:s:CacheRules:0:CacheControl is required: the Cache-Control of successes under '/d/latest/'." },
        { "CacheRules:0:CacheControl", "public\r\nX: y", "Gateway:Sites:s:CacheRules:0:CacheControl must be printable ASCII, such as 'public, max-age=31536000, immutable'." },
        { "Aliases:/d/latest/app.zip:CacheControl", "caf\u00e9", "Gateway:Sites:s:Aliases:/d/latest/app.zip:CacheControl must be printable ASCII, such as 'public, max-age=300'." },
        { "NotFoundCacheControl", "max-age=10\u0001", "Gateway:Sites:s:NotFoundCacheControl must be printable ASCII, such as 'public, max-age=10'." },
        { "RedirectCacheControl", "private, max-age=soon", "Gateway:Sites:s:RedirectCacheControl 'private, max-age=soon' has 'max-age=soon': max-age takes a whole number of seconds, such as max-age=300." },
        { "RedirectCacheControl", "public, s-maxage", "Gateway:Sites:s:RedirectCacheControl 'public, s-maxage' has 's-maxage': s-maxage takes a whole number of seconds, such as s-maxage=300." },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Mistakes_name_the_setting_and_the_fix(string setting, string? value, string expected)
    {
        Dictionary<string, string?> settings = Settings();
        if (value is null)
        {
            settings.Remove("Gateway:Sites:s:" + setting);
        }
        else
        {
            settings["Gateway:Sites:s:" + setting] = value;
        }

        Assert.Equal([expected], GatewaySettings.Errors(settings));
    }
}
