using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using PresignGateway.Listing;
using PresignGateway.Protection;
using PresignGateway.Sites;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Listing;

/// <summary>
/// Directories end to end through real Kestrel and the signature-checking test store, for OSS V4, OSS V1 and S3:
/// paging across 2,500 keys in HTML and JSON, hostile names, index documents, append-slash, HEAD, 404s, cursors,
/// signed-link sites and the listing cache.
/// </summary>
public sealed class ListingEndToEndTests(ListingGateway gateway) : IClassFixture<ListingGateway>
{
    /// <summary>nginx-s3-gateway's fixture names (test/data/bucket-1) and worse.</summary>
    internal static readonly string[] HostileNames =
    [
        "plus+plus.txt", "'(1).txt", "=", "@", "%bad%file%name%", "системы.txt", "Ελληνικά.txt", "这是一个测试.txt", "a  double  space.txt",
        "<script>alert(1)<\\script>.txt", "quote\"s & amps.txt", "\u202Etxt.exe", "ctl\u0001char\u007F.txt", "?query#frag.txt", "semi;colon,comma.txt",
        "javascript:alert(1)", " leading space", "😀🎉.png", "back\\slash.txt", "percent%2Fslash.txt",
    ];

    private const int PagingObjects = 2500;

    private HttpClient Client => gateway.Host.Client;

    public static TheoryData<StoreKind, bool> Paging()
    {
        var data = new TheoryData<StoreKind, bool>();
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            data.Add(kind, false);
            data.Add(kind, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paging))]
    public async Task Every_key_of_2500_is_listed_exactly_once_in_html_and_json(StoreKind kind, bool smallPages)
    {
        string[] expected = await SeedPagingAsync();
        string directory = (smallPages ? ListingGateway.SmallSite(kind) : ListingGateway.Site(kind)) + "/paging/";
        int pageSize = smallPages ? ListingGateway.SmallPage : 1000;

        (List<string> html, int htmlPages) = await ListingClient.ReadHtmlAsync(Client, directory);
        (List<string> json, int jsonPages) = await ListingClient.ReadJsonAsync(Client, directory);

        Assert.Equal(expected.Order(StringComparer.Ordinal), html.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), json.Order(StringComparer.Ordinal));
        int minimumPages = (expected.Length + pageSize - 1) / pageSize;
        Assert.InRange(htmlPages, minimumPages, minimumPages + 1);
        Assert.Equal(htmlPages, jsonPages);
    }

    [Fact]
    public async Task Hostile_names_are_shown_escaped_and_their_links_download_them()
    {
        await gateway.PutAsync(HostileNames.Select(name => ("hostile/" + name, "body of " + name)), StoreKind.S3V4);
        using HttpResponseMessage response = await Client.GetAsync(ListingGateway.Site(StoreKind.S3V4) + "/hostile/?page=", TestContext.Current.CancellationToken);
        string html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        XDocument page = ListingHtmlTests.Parse(html);

        Assert.Empty(page.Descendants("script"));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', html);
        Assert.DoesNotContain('\u0001', html);
        var links = page.Descendants("tbody").Single().Descendants("a").ToDictionary(a => a.Value, a => a.Attribute("href")!.Value);
        foreach (string name in HostileNames)
        {
            Assert.True(links.TryGetValue(VisibleName.Of(name), out string? href), $"no link shown as {VisibleName.Of(name)}");
            if (ObjectKeyRules.Check(name) is not null)
            {
                continue; // control characters: listed, but the gateway downloads no such key
            }

            using HttpResponseMessage download = await Client.GetAsync(href, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("body of " + name, await download.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        Assert.Contains("\\u202Etxt.exe", links.Keys);
    }

    [Theory]
    [InlineData(StoreKind.OssV4)]
    [InlineData(StoreKind.OssV1)]
    [InlineData(StoreKind.S3V4)]
    public async Task A_virtual_hosted_store_lists_pages_with_tokens_and_redirects_to_a_directory(StoreKind kind)
    {
        string[] names = ["a.txt", "b c.txt", "plus+plus.txt", "sub/x", "z/y", "报告.pdf", "%bad%name%"];
        await gateway.PutAsync(names.Select(n => ("vh/" + n, n)), kind, virtualHosted: true);
        string directory = ListingGateway.VirtualHostedSite(kind) + "/vh/";

        (List<string> html, int pages) = await ListingClient.ReadHtmlAsync(Client, directory);
        (List<string> json, _) = await ListingClient.ReadJsonAsync(Client, directory);
        using HttpResponseMessage slash = await Client.GetAsync(ListingGateway.VirtualHostedSite(kind) + "/vh/sub", TestContext.Current.CancellationToken);

        string[] expected = ["a.txt", "b c.txt", "plus+plus.txt", "sub/", "z/", "报告.pdf", "%bad%name%"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), html.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), json.Order(StringComparer.Ordinal));
        Assert.Equal(4, pages);
        Assert.Equal(HttpStatusCode.Found, slash.StatusCode);
    }

    [Theory]
    [InlineData(StoreKind.OssV4)]
    [InlineData(StoreKind.OssV1)]
    [InlineData(StoreKind.S3V4)]
    public async Task A_directory_with_an_index_document_serves_it_inline_and_HEAD_matches_GET(StoreKind kind)
    {
        await gateway.PutAsync([("home/index.html", "<h1>home</h1>"), ("home/other.txt", "x")], kind);
        string path = ListingGateway.Site(kind) + "/home/";

        using HttpResponseMessage get = await Client.GetAsync(path, TestContext.Current.CancellationToken);
        using HttpResponseMessage head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("<h1>home</h1>", await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("inline", get.Content.Headers.ContentDisposition?.DispositionType);
        AssertSameHeaders(get, head);
    }

    [Theory]
    [InlineData(StoreKind.OssV4)]
    [InlineData(StoreKind.OssV1)]
    [InlineData(StoreKind.S3V4)]
    public async Task A_directory_lists_folders_first_and_HEAD_matches_GET(StoreKind kind)
    {
        await gateway.PutAsync([("docs/b.txt", "bb"), ("docs/a.txt", "a"), ("docs/zz/deep.txt", "d"), ("docs/aa/deep.txt", "d")], kind);
        string path = ListingGateway.Site(kind) + "/docs/";

        using HttpResponseMessage get = await Client.GetAsync(path, TestContext.Current.CancellationToken);
        using HttpResponseMessage head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("public, max-age=0", get.Headers.CacheControl?.ToString());
        Assert.StartsWith("default-src 'none'", get.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        XElement[] rows = ListingHtmlTests.Rows(await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["../", "aa/", "zz/", "a.txt", "b.txt"], rows.Select(r => r.Descendants("a").Single().Value));
        AssertSameHeaders(get, head);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Json_is_served_to_a_client_that_prefers_it_and_hides_the_prefix_bucket_and_etag_quotes()
    {
        await gateway.PutAsync([("json/file.txt", "12345"), ("json/sub/x", "x")], StoreKind.OssV4);
        using var request = new HttpRequestMessage(HttpMethod.Get, ListingGateway.Site(StoreKind.OssV4) + "/json/");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        using HttpResponseMessage response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(ListingGateway.Site(StoreKind.OssV4) + "/json/", json.RootElement.GetProperty("path").GetString());
        JsonElement[] entries = [.. json.RootElement.GetProperty("entries").EnumerateArray()];
        Assert.Equal(["sub", "file.txt"], entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(5, entries[1].GetProperty("size").GetInt64());
        Assert.DoesNotContain("\\u0022", entries[1].GetProperty("etag").GetRawText(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", entries[1].GetProperty("etag").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("next").ValueKind);
        Assert.DoesNotContain(gateway.Run, body, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSites.Bucket(StoreKind.OssV4), body, StringComparison.Ordinal);
        Assert.DoesNotContain(gateway.Store.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StoreKind.OssV4)]
    [InlineData(StoreKind.OssV1)]
    [InlineData(StoreKind.S3V4)]
    public async Task A_path_with_objects_under_it_is_redirected_to_the_directory_and_one_without_stays_404(StoreKind kind)
    {
        await gateway.PutAsync([("slash/dir/file.txt", "f"), ("slash/file", "object")], kind);
        string site = ListingGateway.Site(kind);

        using HttpResponseMessage toDirectory = await Client.GetAsync(site + "/slash/dir?x=1", TestContext.Current.CancellationToken);
        using HttpResponseMessage missing = await Client.GetAsync(site + "/slash/nothing", TestContext.Current.CancellationToken);
        using HttpResponseMessage missingDirectory = await Client.GetAsync(site + "/slash/nothing/", TestContext.Current.CancellationToken);
        using HttpResponseMessage headMissingDirectory = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, site + "/slash/nothing/"), TestContext.Current.CancellationToken);
        using HttpResponseMessage anObject = await Client.GetAsync(site + "/slash/file", TestContext.Current.CancellationToken);
        using HttpResponseMessage root = await Client.GetAsync(site, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, toDirectory.StatusCode);
        Assert.Equal(site + "/slash/dir/?x=1", toDirectory.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingDirectory.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, headMissingDirectory.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anObject.StatusCode);
        Assert.Equal("object", await anObject.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Found, root.StatusCode);
        Assert.Equal(site + "/", root.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_root_lists_even_when_empty_and_a_site_without_the_features_is_unchanged()
    {
        using HttpResponseMessage emptyRoot = await Client.GetAsync("/list-empty/", TestContext.Current.CancellationToken);
        using HttpResponseMessage off = await Client.GetAsync("/list-off/docs/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, emptyRoot.StatusCode);
        Assert.Contains("This folder is empty.", await emptyRoot.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
        Assert.DoesNotContain("Index of", await off.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_at_the_longest_key_prefix_is_answered_not_a_500()
    {
        // Its index key (prefix + index.html) is longer than a key may be: no index document, an empty directory, 404.
        string name = new('d', Signing.TextRules.MaxKeyBytes - gateway.Run.Length - 3);
        using HttpResponseMessage response = await Client.GetAsync($"{ListingGateway.Site(StoreKind.S3V4)}/{name}/", TestContext.Current.CancellationToken);
        using HttpResponseMessage tooLong = await Client.GetAsync($"{ListingGateway.Site(StoreKind.S3V4)}/{name}x/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task In_redirect_mode_the_index_document_and_the_slash_redirect_work_too()
    {
        await gateway.PutAsync([("rd/index.html", "<p>rd</p>"), ("rd/sub/a.txt", "a")], StoreKind.S3V4);

        using HttpResponseMessage index = await Client.GetAsync("/list-redirect/rd/", TestContext.Current.CancellationToken);
        using HttpResponseMessage slash = await Client.GetAsync("/list-redirect/rd/sub", TestContext.Current.CancellationToken);
        using HttpResponseMessage listing = await Client.GetAsync("/list-redirect/rd/sub/", TestContext.Current.CancellationToken);
        using HttpResponseMessage missing = await Client.GetAsync("/list-redirect/rd/none", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, index.StatusCode);
        Assert.Contains("inline", Uri.UnescapeDataString(index.Headers.Location!.Query), StringComparison.Ordinal);
        Assert.Equal("/list-redirect/rd/sub/", slash.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("?page=not-a-cursor")]
    [InlineData("?page=YWJj.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("?page=a&page=b")]
    [InlineData("?format=xml")]
    public async Task A_bad_cursor_or_format_is_a_400(string query)
    {
        await gateway.PutAsync([("cursor/a.txt", "a")], StoreKind.S3V4);

        using HttpResponseMessage response = await Client.GetAsync(ListingGateway.Site(StoreKind.S3V4) + "/cursor/" + query, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(StoreKind.OssV4)]
    [InlineData(StoreKind.OssV1)]
    [InlineData(StoreKind.S3V4)]
    public async Task A_cursor_the_store_refuses_is_a_400_not_a_502(StoreKind kind)
    {
        await gateway.PutAsync([("refused/a.txt", "a")], kind);
        Site site = gateway.Host.Services.GetRequiredService<SiteTableProvider>().Current.Sites.Single(s => s.Name == "list-" + kind);
        // A cursor the gateway made (its MAC verifies) around a token the store never issued.
        string cursor = ListingCursor.Encode(site.Store, site.Name, gateway.Key("refused/"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")!;

        using HttpResponseMessage response = await Client.GetAsync($"{ListingGateway.Site(kind)}/refused/?page={cursor}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cursor", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_link_site_protects_its_listing_signs_its_links_and_keeps_it_private()
    {
        await gateway.PutAsync([("signed/file.txt", "secret"), ("signed/sub/x.txt", "x")], StoreKind.S3V4);
        long expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        string directory = "/list-signed/signed/";

        using HttpResponseMessage unsigned = await Client.GetAsync(directory, TestContext.Current.CancellationToken);
        using HttpResponseMessage listing = await Client.GetAsync(directory + "?" + Sign(directory, expires), TestContext.Current.CancellationToken);
        using HttpResponseMessage slash = await Client.GetAsync("/list-signed/signed/sub?" + Sign("/list-signed/signed/sub", expires), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Equal("private", listing.Headers.CacheControl?.ToString());
        var links = ListingHtmlTests.Rows(await listing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .Select(r => r.Descendants("a").Single()).ToDictionary(a => a.Value, a => a.Attribute("href")!.Value);
        Assert.All(links.Values, href => Assert.Contains($"expires={expires}&sig=", href, StringComparison.Ordinal));
        using HttpResponseMessage file = await Client.GetAsync(links["file.txt"], TestContext.Current.CancellationToken);
        using HttpResponseMessage sub = await Client.GetAsync(links["sub/"], TestContext.Current.CancellationToken);
        Assert.Equal("secret", await file.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, sub.StatusCode);
        Assert.Equal(HttpStatusCode.Found, slash.StatusCode);
        using HttpResponseMessage followed = await Client.GetAsync(slash.Headers.Location!.OriginalString, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
    }

    [Fact]
    public async Task A_listing_is_cached_for_its_duration_and_a_CDN_may_keep_it_as_long()
    {
        await gateway.PutAsync([("cache/a.txt", "a")], StoreKind.S3V4);
        string prefix = gateway.Key("cache/");
        int before = await gateway.ListRequestsAsync(prefix);

        using HttpResponseMessage first = await Client.GetAsync("/list-cached/cache/", TestContext.Current.CancellationToken);
        await gateway.PutAsync([("cache/b.txt", "b")], StoreKind.S3V4);
        using HttpResponseMessage second = await Client.GetAsync("/list-cached/cache/?format=json", TestContext.Current.CancellationToken);

        Assert.Equal("public, max-age=300", first.Headers.CacheControl?.ToString());
        Assert.Equal(1, await gateway.ListRequestsAsync(prefix) - before);
        Assert.DoesNotContain("b.txt", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flood_of_distinct_directories_keeps_the_listing_cache_within_its_bytes()
    {
        await gateway.PutAsync([.. Enumerable.Range(0, 40).Select(i => ($"flood/{i:D2}-{new string('n', 200)}.txt", "x"))], StoreKind.S3V4);
        ListingCache cache = gateway.Host.Services.GetRequiredService<ListingCache>();
        long peak = 0;
        for (int i = 0; i < 400; i++)
        {
            // Half of them real (40 long names each), half made up (404, cached as empty all the same).
            string path = i % 2 == 0 ? "/list-cached/flood/" : $"/list-cached/made-up-{i}-{new string('p', 600)}/";
            using HttpResponseMessage response = await Client.GetAsync(path + (i % 2 == 0 ? $"?n={i}" : ""), TestContext.Current.CancellationToken);
            peak = Math.Max(peak, cache.Bytes);
        }

        Assert.InRange(peak, ListingGateway.ListingBudget / 2, ListingGateway.ListingBudget);
        Assert.InRange(cache.Bytes, 1, ListingGateway.ListingBudget);
    }

    [Fact]
    public async Task No_listing_signature_store_address_or_secret_reaches_a_client_or_a_log()
    {
        await gateway.PutAsync([("leak/a.txt", "a"), ("leak/sub/b.txt", "b")]);
        var bodies = new List<string>();
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            foreach (string path in new[] { "/leak/", "/leak/?format=json", "/leak/sub", "/leak/?page=x", "/leak/none/" })
            {
                using HttpResponseMessage response = await Client.GetAsync(ListingGateway.Site(kind) + path, TestContext.Current.CancellationToken);
                bodies.Add(string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
                bodies.Add(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }
        }

        List<RecordedRequest> all = await gateway.Store.Admin.GetFromJsonAsync<List<RecordedRequest>>("/__store/requests", TestStore.JsonOptions, TestContext.Current.CancellationToken) ?? [];
        string[] signatures = [.. Hardening.LeakChecks.SignaturesIn(all.Where(r => r.Key == ""))];
        Assert.NotEmpty(signatures);
        foreach (string text in bodies)
        {
            Assert.Null(Hardening.LeakChecks.FindMarker(text));
            Assert.DoesNotContain(signatures, text.Contains);
            Assert.DoesNotContain($"127.0.0.1:{gateway.Store.Port}", text, StringComparison.Ordinal);
            Assert.DoesNotContain(gateway.Run, text, StringComparison.Ordinal);
        }

        Hardening.LeakChecks.AssertCleanLogs(gateway.Host, signatures);
    }

    private static string Sign(string decodedPath, long expires)
        => LinkSignature.QueryFor(System.Text.Encoding.UTF8.GetBytes(ListingGateway.LinkSecret), "127.0.0.1", decodedPath, expires, QueryCollection.Empty);

    private static void AssertSameHeaders(HttpResponseMessage get, HttpResponseMessage head)
    {
        Assert.Equal(get.StatusCode, head.StatusCode);
        string[] ignored = ["Date"];
        Assert.Equal(
            get.Headers.Concat(get.Content.Headers).Where(h => !ignored.Contains(h.Key)).Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(),
            head.Headers.Concat(head.Content.Headers).Where(h => !ignored.Contains(h.Key)).Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order());
    }

    /// <summary>Once per run: 2,500 objects (the hostile names among them) and two folders under paging/, in every store.</summary>
    private async Task<string[]> SeedPagingAsync()
    {
        string[] files = [.. HostileNames, .. Enumerable.Range(0, PagingObjects - HostileNames.Length).Select(i => $"file-{i:D4}.bin")];
        string[] expected = [.. files, "folder-a/", "folder-b/"];
        await gateway.OnceAsync(() => gateway.PutAsync([.. files.Select(f => ("paging/" + f, "body of " + f)), ("paging/folder-a/x", "x"), ("paging/folder-b/y", "y")]));
        return expected;
    }
}
