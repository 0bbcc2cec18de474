using PresignGateway.Sites;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Sites;

/// <summary>
/// Host and path to site, through tables built from settings: exact hosts beat the longest matching wildcard, which
/// beats <c>*</c>; the longest path prefix wins within a host; a tier with no matching prefix falls through.
/// </summary>
public sealed class SiteTableTests
{
    public static TheoryData<string, string, string?> HostTiers() => new()
    {
        { "dl.example.com", "/x", "exact" },
        { "DL.Example.COM", "/x", "exact" },
        { "other.example.com", "/x", "wildcard" },
        { "OTHER.EXAMPLE.COM", "/x", "wildcard" },
        { "a.b.example.com", "/x", "wildcard" },
        { "cdn.example.com", "/x", "wildcard" },
        { "a.cdn.example.com", "/x", "deep-wildcard" },
        { "A.CDN.Example.Com", "/x", "deep-wildcard" },
        { "x.y.cdn.example.com", "/x", "deep-wildcard" },
        { "example.com", "/x", "any" },
        { "notexample.com", "/x", "any" },
        { "xcdn.example.com", "/x", "wildcard" },
        { "example.com.evil.org", "/x", "any" },
        { "dl.example.com.evil.org", "/x", "any" },
        { "elsewhere.org", "/", "any" },
    };

    [Theory]
    [MemberData(nameof(HostTiers))]
    public void Exact_host_beats_the_longest_wildcard_which_beats_any_host(string host, string path, string? expectedSite)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "any", "/", "main", "*");
        GatewaySettings.AddSite(settings, "wildcard", "/", "main", "*.example.com");
        GatewaySettings.AddSite(settings, "exact", "/", "main", "dl.example.com");
        GatewaySettings.AddSite(settings, "deep-wildcard", "/", "main", "*.cdn.example.com");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Equal(expectedSite, table.Match(host, path)?.Name);
    }

    public static TheoryData<string, string?> Prefixes() => new()
    {
        { "/", "root" },
        { "/x", "root" },
        { "/docs", "docs" },
        { "/docs/", "docs" },
        { "/docs/x", "docs" },
        { "/docs//x", "docs" },
        { "/docsx", "root" },
        { "/docsx/y", "root" },
        { "/DOCS/x", "root" },
        { "/docs/api", "api" },
        { "/docs/api/", "api" },
        { "/docs/api/v1/x", "api" },
        { "/docs/apix", "docs" },
        { "/doc", "root" },
    };

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Longest_prefix_that_ends_at_a_segment_boundary_wins(string path, string? expectedSite)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "root", "/", "main", "dl.example.com");
        GatewaySettings.AddSite(settings, "api", "/docs/api/", "main", "dl.example.com");
        GatewaySettings.AddSite(settings, "docs", "/docs", "main", "dl.example.com");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Equal(expectedSite, table.Match("dl.example.com", path)?.Name);
    }

    public static TheoryData<string, string, string?> Fallthrough() => new()
    {
        { "dl.example.com", "/docs/a", "exact-docs" },
        { "dl.example.com", "/docs", "exact-docs" },
        { "dl.example.com", "/images/a", "wildcard-images" },
        { "dl.example.com", "/other", "any-root" },
        { "dl.example.com", "/docsx", "any-root" },
        { "x.example.com", "/docs/a", "any-root" },
        { "x.example.com", "/images", "wildcard-images" },
        { "x.example.com", "/imagesx", "any-root" },
        { "elsewhere.org", "/images/a", "any-root" },
    };

    [Theory]
    [MemberData(nameof(Fallthrough))]
    public void Tier_without_a_matching_prefix_falls_through_to_the_next(string host, string path, string? expectedSite)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "exact-docs", "/docs", "main", "dl.example.com");
        GatewaySettings.AddSite(settings, "wildcard-images", "/images", "main", "*.example.com");
        GatewaySettings.AddSite(settings, "any-root", "/", "main", "*");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Equal(expectedSite, table.Match(host, path)?.Name);
    }

    public static TheoryData<string, string> Unmatched() => new()
    {
        { "dl.example.com", "/docsx" },
        { "dl.example.com", "/" },
        { "dl.example.com", "/Docs/a" },
        { "example.com", "/docs/a" },
        { "other.example.com", "/docs/a" },
        { "elsewhere.org", "/docs" },
        { "", "/docs" },
    };

    [Theory]
    [MemberData(nameof(Unmatched))]
    public void Without_a_catch_all_an_unmatched_host_or_path_finds_no_site(string host, string path)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "docs", "/docs", "main", "dl.example.com");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Null(table.Match(host, path));
        Assert.Equal("docs", table.Match("dl.example.com", "/docs/a")?.Name);
    }

    [Fact]
    public void Wildcard_does_not_match_the_bare_domain()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "wildcard", "/", "main", "*.example.com");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Null(table.Match("example.com", "/a"));
        Assert.Null(table.Match(".example.com", "/a"));
        Assert.Null(table.Match("badexample.com", "/a"));
        Assert.Equal("wildcard", table.Match("a.example.com", "/a")?.Name);
    }

    [Fact]
    public void Configured_hosts_match_whatever_their_case_and_surrounding_spaces()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "exact", "/", "main", " Dl.EXAMPLE.com ");
        GatewaySettings.AddSite(settings, "wildcard", "/", "main", "*.CDN.Example.COM");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Equal("exact", table.Match("dl.example.com", "/a")?.Name);
        Assert.Equal("exact", table.Match("DL.EXAMPLE.COM", "/a")?.Name);
        Assert.Equal("wildcard", table.Match("img.cdn.example.com", "/a")?.Name);
    }

    [Fact]
    public void Site_with_several_hosts_answers_on_each()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "multi", "/files", "main", "a.example.com", "b.example.org", "*.example.net");
        SiteTable table = GatewaySettings.Build(settings);

        Assert.Equal("multi", table.Match("a.example.com", "/files/x")?.Name);
        Assert.Equal("multi", table.Match("b.example.org", "/files/x")?.Name);
        Assert.Equal("multi", table.Match("c.example.net", "/files/x")?.Name);
        Assert.Null(table.Match("c.example.com", "/files/x"));
        Assert.Single(table.Sites);
    }

    public static TheoryData<string, string> PrefixNormalisation() => new()
    {
        { "/", "" },
        { "/docs", "/docs" },
        { "/docs/", "/docs" },
        { "/a/b/", "/a/b" },
    };

    [Theory]
    [MemberData(nameof(PrefixNormalisation))]
    public void Path_prefix_is_kept_without_a_trailing_slash(string configured, string expected)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "s", configured, "main", "dl.example.com");

        Site site = Assert.Single(GatewaySettings.Build(settings).Sites);

        Assert.Equal(expected, site.PathPrefix);
        Assert.True(site.MatchesPath(expected + "/x"));
    }
}
