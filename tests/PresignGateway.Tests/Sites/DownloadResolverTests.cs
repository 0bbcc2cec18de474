using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using PresignGateway.Sites;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Sites;

/// <summary>
/// Host + raw target + query to a download plan: prefix mapping, aliases, the object-key rules, and which query
/// parameters each site honours (a parameter a site does not allow is ignored, never an error).
/// </summary>
public sealed class DownloadResolverTests
{
    private const string Host = "dl.example.com";

    private static readonly SiteTable Table = BuildTable();

    public static TheoryData<string, string, string> PrefixMappings() => new()
    {
        { "/files/a/b.txt", "public/a/b.txt", "b.txt" },
        { "/files/a//b", "public/a//b", "b" },
        { "/files//a", "public//a", "a" },
        { "/files/a///", "public/a///", "download" },
        { "/files/dir/", "public/dir/", "download" },
        { "/files", "public/", "download" },
        { "/files/", "public/", "download" },
        { "/files/a%2Fb.txt", "public/a/b.txt", "b.txt" },
        { "/files/100%25.txt", "public/100%.txt", "100%.txt" },
        { "/files/%252F", "public/%2F", "%2F" },
        { "/files/plus+plus.txt", "public/plus+plus.txt", "plus+plus.txt" },
        { "/files/a%20b%2Bc.txt", "public/a b+c.txt", "a b+c.txt" },
        { "/files/%E6%8A%A5%E5%91%8A/2024.pdf", "public/报告/2024.pdf", "2024.pdf" },
        { "/files/报告.pdf", "public/报告.pdf", "报告.pdf" },
        { "/files/...", "public/...", "..." },
        { "/files/.hidden", "public/.hidden", ".hidden" },
        { "/files/a..b", "public/a..b", "a..b" },
        { "/files/x.txt?filename=y.txt#frag", "public/x.txt", "x.txt" },
        { "http://dl.example.com/files/x.txt?y=1", "public/x.txt", "x.txt" },
        { "/files/latest/app.zip/more", "public/latest/app.zip/more", "more" },
        { "/files/latest/app.zi", "public/latest/app.zi", "app.zi" },
        { "/files/latest", "public/latest", "latest" },
        { "/files/evil\u202Etxt.exe", "public/evil\u202Etxt.exe", "eviltxt.exe" },
    };

    [Theory]
    [MemberData(nameof(PrefixMappings))]
    public void Path_after_the_prefix_is_appended_to_the_key_prefix(string target, string expectedKey, string expectedFileName)
    {
        DownloadPlan plan = AssertResolves(Host, target, "");

        Assert.Equal("files", plan.Site.Name);
        Assert.Equal(expectedKey, plan.Key);
        Assert.Equal(expectedFileName, plan.FileName);
        Assert.Equal("Attachment", plan.Disposition.ToString());
        Assert.Null(plan.VersionId);
        Assert.Null(plan.ImageProcess);
    }

    [Fact]
    public void Root_site_without_key_prefix_maps_the_whole_path()
    {
        DownloadPlan plan = AssertResolves("ROOT.example.com", "/a/b/c.txt", "");

        Assert.Equal("root", plan.Site.Name);
        Assert.Equal("a/b/c.txt", plan.Key);
        Assert.Equal("c.txt", plan.FileName);
    }

    public static TheoryData<string> AliasTargets() => ["/files/latest/app.zip", "/files/latest/app%2Ezip", "/files/latest%2Fapp.zip", "/files/latest/app.zip?x=1"];

    [Theory]
    [MemberData(nameof(AliasTargets))]
    public void Alias_maps_its_exact_decoded_path_to_a_fixed_key_name_and_version(string target)
    {
        DownloadPlan plan = AssertResolves(Host, target, "");

        Assert.Equal("releases/1.4.2/app-1.4.2.zip", plan.Key);
        Assert.Equal("app.zip", plan.FileName);
        Assert.Equal("v-alias", plan.VersionId);
    }

    [Fact]
    public void Alias_without_file_name_is_saved_under_the_last_segment_of_its_key()
    {
        DownloadPlan plan = AssertResolves(Host, "/files/latest/notes", "");

        Assert.Equal("releases/notes.txt", plan.Key);
        Assert.Equal("notes.txt", plan.FileName);
        Assert.Null(plan.VersionId);
    }

    [Fact]
    public void Alias_file_name_is_cleaned_when_the_table_is_built()
    {
        DownloadPlan plan = AssertResolves(Host, "/files/latest/setup", "");

        Assert.Equal("setup.exe", plan.FileName);
    }

    [Theory]
    [InlineData("/files/latest/notes", "?versionId=v9", null)]
    [InlineData("/files/latest/app.zip", "?versionId=v9", "v-alias")]
    [InlineData("/files/latest/app.zip", "?versionId=a&versionId=b", "v-alias")]
    [InlineData("/files/latest/app.zip", "?versionId=a%0Ab", "v-alias")]
    public void Version_id_of_the_query_is_ignored_for_aliases(string target, string query, string? expectedVersion)
    {
        DownloadPlan plan = AssertResolves(Host, target, query);

        Assert.Equal(expectedVersion, plan.VersionId);
    }

    [Fact]
    public void Requested_file_name_replaces_the_alias_name_when_the_site_allows_it()
    {
        DownloadPlan plan = AssertResolves(Host, "/files/latest/app.zip", "?filename=mine.zip");

        Assert.Equal("releases/1.4.2/app-1.4.2.zip", plan.Key);
        Assert.Equal("mine.zip", plan.FileName);
    }

    public static TheoryData<string, string, string> BadTargets() => new()
    {
        { Host, "/files/%2e%2e/secret", "'.' or '..' segment" },
        { Host, "/files/%2E%2E%2Fsecret", "'.' or '..' segment" },
        { Host, "/files/a/%2e", "'.' or '..' segment" },
        { Host, "/files/a/..", "'.' or '..' segment" },
        { Host, "/files/a/./b", "'.' or '..' segment" },
        { "root.example.com", "/..", "'.' or '..' segment" },
        { Host, "/files/a%00b", "control character" },
        { Host, "/files/a%0D%0Ab", "control character" },
        { Host, "/files/a%09b", "control character" },
        { Host, "/files/a%7Fb", "control character" },
        { Host, "/files/a%C2%85b", "control character" },
        { Host, "/files/" + new string('k', 1017), "longer than 1023 bytes" },
        { Host, "/files/" + string.Concat(Enumerable.Repeat("%E6%8A%A5", 340)), "longer than 1023 bytes" },
        { "root.example.com", "/", "names no object" },
        { "root.example.com", "/?filename=a", "names no object" },
        { Host, "/files/%zz", "two hex digits" },
        { Host, "/files/a%", "two hex digits" },
        { Host, "/files/%c0%af", "valid UTF-8" },
        { Host, "/files/%ff", "valid UTF-8" },
        { Host, "/files/%80", "valid UTF-8" },
        { Host, "*", "not a path" },
        { Host, "", "not a path" },
        { Host, "dl.example.com:443", "not a path" },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void Bad_keys_and_targets_are_400_with_a_reason(string host, string target, string reason)
    {
        AssertRefused(host, target, "", StatusCodes.Status400BadRequest, reason);
    }

    [Fact]
    public void Key_of_exactly_1023_bytes_after_the_prefix_is_served()
    {
        DownloadPlan plan = AssertResolves(Host, "/files/" + new string('k', 1016), "");

        Assert.Equal(1023, plan.Key.Length);
    }

    [Theory]
    [InlineData(Host, "/nothing/a.txt")]
    [InlineData(Host, "/filesx/a.txt")]
    [InlineData(Host, "/Files/a.txt")]
    public void Unknown_path_on_a_served_host_is_404(string host, string target)
    {
        AssertRefused(host, target, "", StatusCodes.Status404NotFound, "No site serves this path on this host.");
    }

    [Theory]
    [InlineData("other.example.com", "/files/a.txt")]
    [InlineData("example.com", "/files/a.txt")]
    [InlineData("", "/files/a.txt")]
    public void Host_that_no_site_serves_is_421(string host, string target)
    {
        AssertRefused(host, target, "", StatusCodes.Status421MisdirectedRequest, "This host is not served here.");
    }

    public static TheoryData<string, string, string> FileNameQueries() => new()
    {
        { "", "report.pdf", "Attachment" },
        { "?filename=", "report.pdf", "Attachment" },
        { "?filename=mine.pdf", "mine.pdf", "Attachment" },
        { "?filename=..%2F..%2Fetc%2Fpasswd", "passwd", "Attachment" },
        { "?filename=C:%5Cwin%5Cevil.exe", "evil.exe", "Attachment" },
        { "?filename=%E6%8A%A5%E5%91%8A.pdf", "报告.pdf", "Attachment" },
        { "?filename=a%0D%0ASet-Cookie:x.pdf", "aSet-Cookie:x.pdf", "Attachment" },
        { "?filename=+spaced+", "spaced", "Attachment" },
        { "?filename=%22q%22%3B%2C.txt", "\"q\";,.txt", "Attachment" },
        { "?download", "report.pdf", "Attachment" },
        { "?download=1", "report.pdf", "Attachment" },
        { "?inline", "report.pdf", "Inline" },
        { "?inline&filename=view.pdf", "view.pdf", "Inline" },
        { "?FILENAME=upper.pdf", "upper.pdf", "Attachment" },
    };

    [Theory]
    [MemberData(nameof(FileNameQueries))]
    public void File_name_download_and_inline_apply_when_the_site_allows_them(string query, string expectedFileName, string expectedDisposition)
    {
        DownloadPlan plan = AssertResolves(Host, "/files/docs/report.pdf", query);

        Assert.Equal(expectedFileName, plan.FileName);
        Assert.Equal(expectedDisposition, plan.Disposition.ToString());
    }

    [Theory]
    [InlineData("", "Inline")]
    [InlineData("?inline", "Inline")]
    [InlineData("?download", "Attachment")]
    [InlineData("?Download", "Attachment")]
    public void Download_overrides_an_inline_site_that_allows_file_names(string query, string expectedDisposition)
    {
        DownloadPlan plan = AssertResolves(Host, "/gallery/a.png", query);

        Assert.Equal("gallery", plan.Site.Name);
        Assert.Equal(expectedDisposition, plan.Disposition.ToString());
    }

    /// <summary>'filename' brings 'download' but no longer 'inline': that one is an AllowedQuery value of its own.</summary>
    [Theory]
    [InlineData("?inline", "Attachment")]
    [InlineData("?inline&filename=a.pdf", "Attachment")]
    [InlineData("?download&inline", "Attachment")]
    [InlineData("?download", "Attachment")]
    public void Inline_needs_its_own_allowed_query_value(string query, string expectedDisposition)
    {
        DownloadPlan plan = AssertResolves(Host, "/names/report.pdf", query);

        Assert.Equal("names", plan.Site.Name);
        Assert.Equal(expectedDisposition, plan.Disposition.ToString());
        Assert.False(plan.InlineByQuery);
    }

    public static TheoryData<string, string, bool> InlineQueries() => new()
    {
        { "/files/report.pdf?inline", "Inline", true },
        { "/files/pic.png?INLINE", "Inline", true },
        { "/files/page.html?inline", "Attachment", false },
        { "/files/PAGE.HTM?inline", "Attachment", false },
        { "/files/a.xhtml?inline", "Attachment", false },
        { "/files/logo.svg?inline", "Attachment", false },
        { "/files/feed.xml?inline", "Attachment", false },
        { "/files/app.js?inline", "Attachment", false },
        { "/files/app.mjs?inline", "Attachment", false },
        { "/files/report.pdf?inline&filename=view.html", "Attachment", false },
        { "/files/page.html?inline&filename=view.pdf", "Attachment", false },
        { "/gallery/page.html?inline", "Inline", false },
    };

    /// <summary>Active content is never made inline by a query parameter; a site that is inline stays inline (and is sandboxed when served).</summary>
    [Theory]
    [MemberData(nameof(InlineQueries))]
    public void Inline_query_never_makes_active_content_inline(string target, string expectedDisposition, bool expectedByQuery)
    {
        int query = target.IndexOf('?', StringComparison.Ordinal);
        DownloadPlan plan = AssertResolves(Host, target[..query], target[query..]);

        Assert.Equal(expectedDisposition, plan.Disposition.ToString());
        Assert.Equal(expectedByQuery, plan.InlineByQuery);
    }

    public static TheoryData<string, string> BadFileNameQueries() => new()
    {
        { "?filename=a.pdf&filename=b.pdf", "The filename parameter is repeated." },
        { "?filename=..", "no usable name" },
        { "?filename=.", "no usable name" },
        { "?filename=dir%2F", "no usable name" },
        { "?filename=%E2%80%AE%0D%0A", "no usable name" },
        { "?filename=+++", "no usable name" },
        { "?download&inline", "either download or inline" },
        { "?download&inline&filename=a.pdf", "either download or inline" },
    };

    [Theory]
    [MemberData(nameof(BadFileNameQueries))]
    public void Bad_file_name_queries_are_400_when_the_site_allows_them(string query, string reason)
    {
        AssertRefused(Host, "/files/report.pdf", query, StatusCodes.Status400BadRequest, reason);
    }

    public static TheoryData<string> IgnoredQueries() =>
    [
        "?filename=mine.pdf", "?filename=a&filename=b", "?filename=..", "?download", "?inline", "?download&inline",
        "?versionId=v1", "?versionId=a&versionId=b", "?versionId=a%0Ab", "?x-oss-process=image%2Fresize,w_10", "?x-oss-process=a&x-oss-process=b",
    ];

    [Theory]
    [MemberData(nameof(IgnoredQueries))]
    public void Parameters_the_site_does_not_allow_are_ignored(string query)
    {
        DownloadPlan plan = AssertResolves(Host, "/view/pic.png", query);

        Assert.Equal("view", plan.Site.Name);
        Assert.Equal("images/pic.png", plan.Key);
        Assert.Equal("pic.png", plan.FileName);
        Assert.Equal("Inline", plan.Disposition.ToString());
        Assert.Null(plan.VersionId);
        Assert.Null(plan.ImageProcess);
    }

    [Theory]
    [InlineData("?versionId=CAEQNhiBgICb8o6D0BYiIDNlNzk5NGE2M2Y3ZjRhZTViYTAxZGE0ZTEyMWYyMDRm", "CAEQNhiBgICb8o6D0BYiIDNlNzk5NGE2M2Y3ZjRhZTViYTAxZGE0ZTEyMWYyMDRm")]
    [InlineData("?versionId=a%2Bb%3D", "a+b=")]
    [InlineData("?versionId=", null)]
    [InlineData("", null)]
    public void Version_id_is_taken_when_the_site_allows_it(string query, string? expected)
    {
        DownloadPlan plan = AssertResolves(Host, "/files/a.txt", query);

        Assert.Equal(expected, plan.VersionId);
    }

    [Theory]
    [InlineData("/files/a.txt", "?versionId=a&versionId=b", "The versionId parameter is repeated.")]
    [InlineData("/files/a.txt", "?versionId=a%0Ab", "control character")]
    [InlineData("/files/a.txt", "?versionId=a%00", "control character")]
    [InlineData("/files/a.txt", "?versionId=a%C2%85", "control character")]
    [InlineData("/files/a.txt", "?versionId=a%7F", "control character")]
    [InlineData("/files/a.txt", "?x-oss-process=a&x-oss-process=b", "The x-oss-process parameter is repeated.")]
    [InlineData("/files/a.txt", "?x-oss-process=image%2Fresize%0D%0A", "control character")]
    [InlineData("/s3/a.txt", "?versionId=a&versionId=b", "The versionId parameter is repeated.")]
    public void Bad_version_and_process_parameters_are_400(string target, string query, string reason)
    {
        AssertRefused(Host, target, query, StatusCodes.Status400BadRequest, reason);
    }

    [Fact]
    public void Image_processing_is_taken_only_for_an_oss_store_that_allows_it()
    {
        DownloadPlan oss = AssertResolves(Host, "/files/pic.png", "?x-oss-process=image%2Fresize,w_100");
        DownloadPlan s3 = AssertResolves(Host, "/s3/pic.png", "?x-oss-process=image%2Fresize,w_100");
        DownloadPlan s3Repeated = AssertResolves(Host, "/s3/pic.png", "?x-oss-process=a&x-oss-process=b");
        DownloadPlan s3WithVersion = AssertResolves(Host, "/s3/pic.png", "?versionId=v1");

        Assert.Equal("image/resize,w_100", oss.ImageProcess);
        Assert.Null(s3.ImageProcess);
        Assert.Null(s3Repeated.ImageProcess);
        Assert.Equal("v1", s3WithVersion.VersionId);
        Assert.False(s3.Site.AllowsImageProcessing);
        Assert.True(oss.Site.AllowsImageProcessing);
    }

    [Fact]
    public void Successful_resolution_reports_200_and_no_detail()
    {
        bool resolved = DownloadResolver.TryResolve(Table, Host, "/files/a.txt", Query(""), out DownloadPlan plan, out int status, out string detail);

        Assert.True(resolved);
        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("", detail);
        Assert.Equal("public/a.txt", plan.Key);
    }

    [Theory]
    [InlineData("dl.example.com", "/dirs/", "pub/")]
    [InlineData("dl.example.com", "/dirs/a%20b/c/", "pub/a b/c/")]
    [InlineData("dl.example.com", "/dirs/a%2Fb/", "pub/a/b/")]
    [InlineData("dl.example.com", "/dirs/a//", "pub/a//")]
    [InlineData("dirs.example.com", "/", "")]
    [InlineData("dirs.example.com", "/%E6%8A%A5%E5%91%8A/", "报告/")]
    public void A_path_ending_in_a_slash_on_a_site_with_directories_is_a_directory_with_its_key_prefix(string host, string target, string prefix)
    {
        DownloadPlan plan = AssertResolves(host, target, "?filename=x&versionId=v");

        Assert.True(plan.Directory);
        Assert.Equal(prefix, plan.Key);
        Assert.Null(plan.VersionId);
    }

    [Theory]
    [InlineData("/dirs/a/..%2F/", "'..'")]
    [InlineData("/dirs/%2E/", "'..'")]
    [InlineData("/dirs/a%01/", "control character")]
    public void A_directory_path_follows_the_key_rules(string target, string reason)
    {
        AssertRefused(Host, target, "", StatusCodes.Status400BadRequest, reason);
    }

    [Fact]
    public void An_alias_a_path_without_slash_and_a_site_without_directories_are_objects()
    {
        Assert.False(AssertResolves(Host, "/dirs/latest/", "").Directory);
        Assert.Equal("releases/latest.html", AssertResolves(Host, "/dirs/latest/", "").Key);
        Assert.False(AssertResolves(Host, "/dirs/a", "").Directory);
        Assert.False(AssertResolves(Host, "/files/dir/", "").Directory);
    }

    private static DownloadPlan AssertResolves(string host, string target, string query)
    {
        bool resolved = DownloadResolver.TryResolve(Table, host, target, Query(query), out DownloadPlan plan, out int status, out string detail);
        Assert.True(resolved, $"{host} {target}{query}: {status} {detail}");
        return plan;
    }

    private static void AssertRefused(string host, string target, string query, int expectedStatus, string reason)
    {
        bool resolved = DownloadResolver.TryResolve(Table, host, target, Query(query), out DownloadPlan plan, out int status, out string detail);

        Assert.False(resolved, $"{host} {target}{query} resolved to key '{plan.Key}'");
        Assert.Equal(expectedStatus, status);
        Assert.Contains(reason, detail, StringComparison.Ordinal);
        Assert.Null(plan.Site);
    }

    private static QueryCollection Query(string query) => new(QueryHelpers.ParseQuery(query));

    private static SiteTable BuildTable()
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore("oss");
        GatewaySettings.AddStore(settings, "s3", "S3V4");

        GatewaySettings.AddSite(settings, "files", "/files", "oss", Host);
        settings["Gateway:Sites:files:KeyPrefix"] = "public/";
        settings["Gateway:Sites:files:AllowedQuery:0"] = "filename";
        settings["Gateway:Sites:files:AllowedQuery:1"] = "versionId";
        settings["Gateway:Sites:files:AllowedQuery:2"] = "x-oss-process";
        settings["Gateway:Sites:files:AllowedQuery:3"] = "inline";
        settings["Gateway:Sites:files:Aliases:/files/latest/app.zip:Key"] = "releases/1.4.2/app-1.4.2.zip";
        settings["Gateway:Sites:files:Aliases:/files/latest/app.zip:FileName"] = "app.zip";
        settings["Gateway:Sites:files:Aliases:/files/latest/app.zip:VersionId"] = "v-alias";
        settings["Gateway:Sites:files:Aliases:/files/latest/notes:Key"] = "releases/notes.txt";
        settings["Gateway:Sites:files:Aliases:/files/latest/setup:Key"] = "releases/setup-1.4.2.exe";
        settings["Gateway:Sites:files:Aliases:/files/latest/setup:FileName"] = "../bin/setup.exe\r\n";

        GatewaySettings.AddSite(settings, "view", "/view", "oss", Host);
        settings["Gateway:Sites:view:KeyPrefix"] = "images/";
        settings["Gateway:Sites:view:Disposition"] = "inline";

        GatewaySettings.AddSite(settings, "gallery", "/gallery", "oss", Host);
        settings["Gateway:Sites:gallery:Disposition"] = "INLINE";
        settings["Gateway:Sites:gallery:AllowedQuery:0"] = "filename";

        GatewaySettings.AddSite(settings, "names", "/names", "oss", Host);
        settings["Gateway:Sites:names:AllowedQuery:0"] = "filename";

        GatewaySettings.AddSite(settings, "s3", "/s3", "s3", Host);
        settings["Gateway:Sites:s3:AllowedQuery:0"] = "versionId";
        settings["Gateway:Sites:s3:AllowedQuery:1"] = "x-oss-process";

        GatewaySettings.AddSite(settings, "root", "/", "oss", "root.example.com");

        GatewaySettings.AddSite(settings, "dirs", "/dirs", "oss", Host);
        settings["Gateway:Sites:dirs:KeyPrefix"] = "pub/";
        settings["Gateway:Sites:dirs:Listing"] = "On";
        settings["Gateway:Sites:dirs:Aliases:/dirs/latest/:Key"] = "releases/latest.html";
        GatewaySettings.AddSite(settings, "rootdirs", "/", "oss", "dirs.example.com");
        settings["Gateway:Sites:rootdirs:IndexDocument"] = "index.html";
        return GatewaySettings.Build(settings);
    }
}
