using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// A site's own error pages (Gateway:Sites:&lt;name&gt;:ErrorDocuments:&lt;status&gt;) end to end: real Kestrel, the real
/// test store, headless Chromium. Browsers get the document with the error's status and no-store; other clients keep
/// problem+json; a missing or oversized document falls back to the built-in page with one Warning; the document is
/// fetched once for many errors, and none of the store's headers or the site's key prefix reach the client.
/// </summary>
public sealed class ErrorDocumentWriterTests(TestStore store)
{
    private const string ChromiumAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";
    private const string Page = "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Nicht gefunden</title><style>body{font-family:monospace}</style></head><body><h1>Diese Datei gibt es nicht</h1><p>Zur Startseite.</p></body></html>";

    [Fact]
    public async Task Chromium_shows_the_site_page_for_a_missing_file()
    {
        (GatewayHost gateway, string _) = await StartWithDocumentAsync();
        await using GatewayHost _1 = gateway;
        string url = new Uri(gateway.BaseAddress, $"/pages/{Guid.NewGuid():N}/gone.pdf").AbsoluteUri;

        using JsonDocument shown = await BrowserPage.ShowAsync(url);
        JsonElement page = shown.RootElement;
        Assert.Equal(404, page.GetProperty("status").GetInt32());
        Assert.StartsWith("text/html", page.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        Assert.Equal("de", page.GetProperty("lang").GetString());
        Assert.Equal("Nicht gefunden", page.GetProperty("title").GetString());
        Assert.Contains("Diese Datei gibt es nicht", page.GetProperty("text").GetString(), StringComparison.Ordinal);
        // The page's own inline style applies under the policy, and the browser asked for nothing else.
        Assert.Equal("monospace", page.GetProperty("bodyFontFamily").GetString());
        Assert.DoesNotContain(page.GetProperty("consoleErrors").EnumerateArray(), e => e.GetString()!.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.Equal([url], page.GetProperty("requests").EnumerateArray().Select(e => e.GetString()!).Where(u => !u.EndsWith("/favicon.ico", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_browser_gets_the_document_with_the_status_no_store_and_none_of_the_store_headers()
    {
        (GatewayHost gateway, string documentKey) = await StartWithDocumentAsync();
        await using GatewayHost _ = gateway;

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, $"/pages/{Guid.NewGuid():N}.zip", ChromiumAccept);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(Page, body);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetByteCount(Page), response.Content.Headers.ContentLength);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Null(response.Headers.ETag);
        Assert.Null(response.Content.Headers.LastModified);
        string headers = response.Headers.ToString() + response.Content.Headers;
        Assert.DoesNotContain("x-oss-", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("x-amz-", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("site-prefix", headers + body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(documentKey, headers + body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/octet-stream", "text/html; charset=utf-8")]
    [InlineData("application/javascript", "text/html; charset=utf-8")]
    [InlineData("image/svg+xml", "text/html; charset=utf-8")]
    [InlineData("TEXT/HTML", "text/html")]
    [InlineData("text/html; charset=ISO-8859-1; boundary=x", "text/html; charset=ISO-8859-1")]
    [InlineData("text/plain; charset=\"utf-8\"", "text/plain; charset=utf-8")]
    [InlineData("application/xhtml+xml", "application/xhtml+xml")]
    public async Task The_document_keeps_its_type_only_when_it_is_a_page(string stored, string served)
    {
        string documentKey = await UploadDocumentAsync(stored);
        await using GatewayHost gateway = await StartAsync(new() { ["ErrorDocuments:404"] = documentKey });

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, $"/pages/{Guid.NewGuid():N}.zip", ChromiumAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(served, string.Join(", ", response.Content.Headers.GetValues("Content-Type")));
        Assert.Equal(Page, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Many_errors_fetch_the_document_once()
    {
        (GatewayHost gateway, string documentKey) = await StartWithDocumentAsync();
        await using GatewayHost _ = gateway;

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync(gateway, HttpMethod.Get, $"/pages/flood/{i}.bin", ChromiumAccept)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        foreach (HttpResponseMessage response in responses)
        {
            Assert.Equal(Page, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            response.Dispose();
        }

        Assert.Single(await store.RequestsForAsync(documentKey));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("*/*")]
    [InlineData(null)]
    public async Task Other_clients_keep_problem_json(string? accept)
    {
        (GatewayHost gateway, string documentKey) = await StartWithDocumentAsync();
        await using GatewayHost _ = gateway;

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, $"/pages/{Guid.NewGuid():N}.zip", accept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
        Assert.Empty(await store.RequestsForAsync(documentKey));
    }

    [Fact]
    public async Task Head_gets_the_document_headers_without_a_body()
    {
        (GatewayHost gateway, string _) = await StartWithDocumentAsync();
        await using GatewayHost _1 = gateway;

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Head, $"/pages/{Guid.NewGuid():N}.zip", ChromiumAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.StartsWith("default-src 'none'; style-src 'unsafe-inline'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_document_falls_back_to_the_built_in_page_with_one_warning()
    {
        string documentKey = $"errdocs/{Guid.NewGuid():N}/never-uploaded.html";
        await using GatewayHost gateway = await StartAsync(new() { ["ErrorDocuments:404"] = documentKey });

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, $"/pages/{Guid.NewGuid():N}.zip", ChromiumAccept);
            string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("<h1>404 Not Found</h1>", body, StringComparison.Ordinal);
            Assert.DoesNotContain(documentKey, body, StringComparison.Ordinal);
        }

        string warning = Assert.Single(gateway.Logs.Lines, line => line.Contains("[101]", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", warning, StringComparison.Ordinal);
        Assert.Contains("Gateway:Sites:pages:ErrorDocuments:404", warning, StringComparison.Ordinal);
        Assert.Contains("the store answered 404", warning, StringComparison.Ordinal);
        Assert.Single(await store.RequestsForAsync(documentKey));
    }

    [Fact]
    public async Task A_missing_document_is_asked_for_every_30_s_and_warned_about_once_a_minute()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        string documentKey = $"errdocs/{Guid.NewGuid():N}/never-uploaded.html";
        await using GatewayHost gateway = await StartAsync(new() { ["ErrorDocuments:404"] = documentKey }, services => services.AddSingleton<TimeProvider>(clock));

        // 0 s: fetched, warned; 20 s: kept; 31 s: fetched again, not warned; 62 s: fetched again, warned.
        foreach (int seconds in new[] { 0, 20, 11, 31 })
        {
            clock.Advance(TimeSpan.FromSeconds(seconds));
            for (int i = 0; i < 3; i++)
            {
                using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, $"/pages/{Guid.NewGuid():N}.zip", ChromiumAccept);
                Assert.Contains("<h1>404 Not Found</h1>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            }
        }

        Assert.Equal(3, (await store.RequestsForAsync(documentKey)).Count);
        Assert.Equal(2, gateway.Logs.Lines.Count(line => line.Contains("[101]", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_document_over_one_mebibyte_falls_back_to_the_built_in_page()
    {
        string documentKey = $"errdocs/{Guid.NewGuid():N}/huge.html";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), documentKey, new byte[(1024 * 1024) + 1], "text/html");
        await using GatewayHost gateway = await StartAsync(new() { ["ErrorDocuments:404"] = documentKey });

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, $"/pages/{Guid.NewGuid():N}.zip", ChromiumAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("<h1>404 Not Found</h1>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("[101]", StringComparison.Ordinal) && line.Contains("larger than 1048576 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_mode_site_serves_its_document_through_the_gateway()
    {
        string documentKey = await UploadDocumentAsync("text/plain");
        await using GatewayHost gateway = await StartAsync(new() { ["Mode"] = "Redirect", ["ErrorDocuments:405"] = documentKey });

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Delete, "/pages/a.zip", ChromiumAccept);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Page, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("GET, HEAD", response.Content.Headers.Allow.Count == 0 ? string.Join(", ", response.Headers.GetValues("Allow")) : string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task A_status_without_a_document_keeps_the_built_in_page()
    {
        (GatewayHost gateway, string documentKey) = await StartWithDocumentAsync();
        await using GatewayHost _ = gateway;

        using HttpResponseMessage response = await SendAsync(gateway, HttpMethod.Get, "/pages/a.zip?filename=a&filename=b", ChromiumAccept);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<h1>400 Bad Request</h1>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await store.RequestsForAsync(documentKey));
    }

    private async Task<(GatewayHost Gateway, string DocumentKey)> StartWithDocumentAsync()
    {
        string documentKey = await UploadDocumentAsync("text/html; charset=utf-8");
        return (await StartAsync(new() { ["ErrorDocuments:404"] = documentKey }), documentKey);
    }

    /// <summary>The page, under a key from the bucket's root, outside the site's KeyPrefix.</summary>
    private async Task<string> UploadDocumentAsync(string contentType)
    {
        string key = $"errdocs/{Guid.NewGuid():N}/404.html";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, Encoding.UTF8.GetBytes(Page), contentType);
        return key;
    }

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?> site, Action<IServiceCollection>? services = null)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:pages:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:pages:PathPrefix"] = "/pages";
        settings["Gateway:Sites:pages:Store"] = "oss4";
        settings["Gateway:Sites:pages:KeyPrefix"] = "site-prefix/";
        settings["Gateway:Sites:pages:AllowedQuery:0"] = "filename";
        foreach ((string name, string? value) in site)
        {
            settings["Gateway:Sites:pages:" + name] = value;
        }

        return await GatewayHost.StartAsync(settings, services);
    }

    private static Task<HttpResponseMessage> SendAsync(GatewayHost gateway, HttpMethod method, string path, string? accept)
    {
        var request = new HttpRequestMessage(method, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
