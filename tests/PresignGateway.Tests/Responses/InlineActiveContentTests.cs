using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// Stored XSS through <c>?inline</c>: active content (HTML, SVG, XML, JavaScript) is never shown inline because of a
/// query parameter, in proxy mode (by name and by the store's Content-Type) and redirect mode (by name, signed into
/// the URL); a site that serves inline sandboxes active content with <c>Content-Security-Policy: sandbox</c>.
/// </summary>
public sealed class InlineActiveContentTests(TestStore store)
{
    private const string Prefix = "inline-tests/";

    public static TheoryData<string, string, string> ProxyInlineQueries() => new()
    {
        // site, object, expected disposition type
        { "/ap", "page.html", "attachment" },
        { "/ap", "logo.svg", "attachment" },
        { "/ap", "app.js", "attachment" },
        { "/ap", "disguised.bin", "attachment" },
        { "/ap", "report.pdf", "inline" },
        { "/ap", "pic.png", "inline" },
        { "/fp", "page.html", "attachment" },
        { "/fp", "report.pdf", "attachment" },
    };

    [Theory]
    [MemberData(nameof(ProxyInlineQueries))]
    public async Task Proxy_inline_query_never_shows_active_content_inline(string site, string name, string expected)
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAllAsync();

        foreach (HttpMethod method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var request = new HttpRequestMessage(method, $"{site}/{key}/{name}?inline");
            using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal(name, response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            Assert.False(response.Headers.Contains("Content-Security-Policy"));
        }
    }

    [Fact]
    public async Task Proxy_inline_query_with_an_active_file_name_stays_an_attachment()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAllAsync();

        using HttpResponseMessage response = await gateway.Client.GetAsync($"/ap/{key}/report.pdf?inline&filename=view.html", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("view.html", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Theory]
    [InlineData("page.html", "attachment")]
    [InlineData("logo.svg", "attachment")]
    [InlineData("feed.XML", "attachment")]
    [InlineData("report.pdf", "inline")]
    [InlineData("pic.png", "inline")]
    public async Task Redirect_inline_query_signs_attachment_for_active_names(string name, string expected)
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAllAsync();

        using HttpResponseMessage response = await gateway.Client.GetAsync($"/ar/{key}/{name}?inline", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Uri location = response.Headers.Location!;
        string signed = QueryHelpers.ParseQuery(location.Query)["response-content-disposition"].ToString();
        Assert.StartsWith(expected + ";", signed, StringComparison.Ordinal);

        // What the store then answers the browser with, following the signed URL.
        using HttpClient direct = GatewayHost.CreateClient();
        using HttpResponseMessage download = await direct.GetAsync(location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(expected, download.Content.Headers.ContentDisposition?.DispositionType);
    }

    public static TheoryData<string, bool> InlineSiteObjects() => new()
    {
        { "page.html", true },
        { "logo.svg", true },
        { "app.js", true },
        { "disguised.bin", true },
        { "report.pdf", false },
        { "pic.png", false },
    };

    [Theory]
    [MemberData(nameof(InlineSiteObjects))]
    public async Task Inline_site_sandboxes_active_content(string name, bool sandboxed)
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAllAsync();

        foreach (HttpMethod method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var request = new HttpRequestMessage(method, $"/ip/{key}/{name}");
            using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal(sandboxed ? "sandbox" : null, response.Headers.TryGetValues("Content-Security-Policy", out IEnumerable<string>? csp) ? string.Join(",", csp) : null);
        }
    }

    private async Task<GatewayHost> StartAsync()
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        void Site(string name, string prefix, string mode, string disposition, params string[] allowed)
        {
            string path = $"Gateway:Sites:{name}:";
            settings[path + "Hosts:0"] = "127.0.0.1";
            settings[path + "PathPrefix"] = prefix;
            settings[path + "Store"] = "oss4";
            settings[path + "KeyPrefix"] = Prefix;
            settings[path + "Mode"] = mode;
            settings[path + "Disposition"] = disposition;
            for (int i = 0; i < allowed.Length; i++)
            {
                settings[path + "AllowedQuery:" + i] = allowed[i];
            }
        }

        Site("attachment-proxy", "/ap", "Proxy", "Attachment", "filename", "inline");
        Site("attachment-redirect", "/ar", "Redirect", "Attachment", "filename", "inline");
        Site("filename-proxy", "/fp", "Proxy", "Attachment", "filename");
        Site("inline-proxy", "/ip", "Proxy", "Inline");
        return await GatewayHost.StartAsync(settings);
    }

    /// <summary>Uploads one object of each kind under a fresh folder and returns the folder.</summary>
    private async Task<string> UploadAllAsync()
    {
        string folder = Guid.NewGuid().ToString("N");
        (string Name, string Type)[] objects =
        [
            ("page.html", "text/html; charset=utf-8"), ("logo.svg", "image/svg+xml"), ("app.js", "text/javascript"), ("feed.XML", "application/rss+xml"),
            // A name that looks harmless, served with an active type: only proxy mode can tell.
            ("disguised.bin", "text/html"),
            ("report.pdf", "application/pdf"), ("pic.png", "image/png"),
        ];
        foreach ((string name, string type) in objects)
        {
            await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), Prefix + folder + "/" + name, Encoding.UTF8.GetBytes("<script>alert(document.domain)</script>"), type);
        }

        return folder;
    }
}
