using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PresignGateway.Configuration;
using PresignGateway.Hosting;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// A gateway with three CORS sites on the S3 test store (proxy and redirect for listed origins, proxy for '*') next to
/// the ordinary test sites, and a page server whose origin (<c>http://127.0.0.1:PORT</c>) is one of the listed ones;
/// the same server as <c>http://localhost:PORT</c> is another origin, not listed.
/// </summary>
public sealed class CorsGateway(TestStore store) : IAsyncLifetime
{
    public const string AppOrigin = "https://app.example";

    private WebApplication _pages = null!;

    internal GatewayHost Host { get; private set; } = null!;

    public TestStore Store => store;

    public Uri PageAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder pages = WebApplication.CreateSlimBuilder();
        pages.WebHost.UseUrls("http://127.0.0.1:0");
        pages.Logging.ClearProviders();
        _pages = pages.Build();
        _pages.MapGet("/", () => Results.Content("<!doctype html><html lang=\"en\"><title>app</title><p>app</p></html>", "text/html"));
        await _pages.StartAsync();
        PageAddress = new Uri(_pages.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        Dictionary<string, string?> settings = TestSites.Settings(store);
        AddSite(settings, "cors-proxy", "/cors", "Proxy", [AppOrigin, "http://127.0.0.1:" + PageAddress.Port]);
        AddSite(settings, "cors-redirect", "/rcors", "Redirect", [AppOrigin]);
        AddSite(settings, "cors-any", "/anycors", "Proxy", ["*"]);
        settings["Gateway:Sites:cors-any:Cors:MaxAge"] = "00:10:00";
        Host = await GatewayHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _pages.DisposeAsync();
    }

    private static void AddSite(Dictionary<string, string?> settings, string name, string prefix, string mode, string[] origins)
    {
        string path = $"Gateway:Sites:{name}:";
        settings[path + "Hosts:0"] = "127.0.0.1";
        settings[path + "PathPrefix"] = prefix;
        settings[path + "Store"] = "s3";
        settings[path + "Mode"] = mode;
        for (int i = 0; i < origins.Length; i++)
        {
            settings[path + "Cors:AllowedOrigins:" + i] = origins[i];
        }
    }
}

/// <summary>CORS per site, end to end through real Kestrel and the test store, and with headless Chromium.</summary>
public sealed class CorsTests(CorsGateway gateway) : IClassFixture<CorsGateway>
{
    private const string Exposed = "Content-Disposition,Content-Length,Content-Range,Accept-Ranges,ETag,Last-Modified";

    private static string Bucket => TestSites.Bucket(StoreKind.S3V4);

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_204_allowing_get_head_and_the_download_headers()
    {
        using HttpResponseMessage response = await PreflightAsync("/cors/any/file.bin", CorsGateway.AppOrigin);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CorsGateway.AppOrigin, Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal(["GET", "HEAD"], List(response, "Access-Control-Allow-Methods"));
        Assert.Equal(["Range", "If-Range", "If-None-Match", "If-Modified-Since"], List(response, "Access-Control-Allow-Headers"));
        Assert.Equal("3600", Single(response, "Access-Control-Max-Age"));
        Assert.Contains("Origin", response.Headers.Vary);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_get_from_an_allowed_origin_gets_allow_origin_vary_and_the_exposed_headers_on_success_and_error()
    {
        string key = $"cors/{Guid.NewGuid():N}/report.pdf";
        await gateway.Store.PutObjectAsync(Bucket, key, RandomNumberGenerator.GetBytes(1000), "application/pdf");

        using HttpResponseMessage found = await SendAsync(HttpMethod.Get, "/cors/" + key, CorsGateway.AppOrigin);
        using HttpResponseMessage missing = await SendAsync(HttpMethod.Get, "/cors/" + key + ".missing", CorsGateway.AppOrigin);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        foreach (HttpResponseMessage response in new[] { found, missing })
        {
            Assert.Equal(CorsGateway.AppOrigin, Single(response, "Access-Control-Allow-Origin"));
            Assert.Equal(Exposed.Split(','), List(response, "Access-Control-Expose-Headers"));
            Assert.Equal(["Origin"], response.Headers.Vary);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
        }
    }

    [Fact]
    public async Task A_redirect_carries_the_cors_headers_too()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/rcors/any/file.bin", CorsGateway.AppOrigin);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(CorsGateway.AppOrigin, Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal(Exposed.Split(','), List(response, "Access-Control-Expose-Headers"));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task A_disallowed_origin_gets_no_cors_headers_and_its_preflight_is_403()
    {
        string key = $"cors/{Guid.NewGuid():N}/a.txt";
        await gateway.Store.PutObjectAsync(Bucket, key, "hello"u8.ToArray(), "text/plain");

        using HttpResponseMessage get = await SendAsync(HttpMethod.Get, "/cors/" + key, "https://evil.example");
        using HttpResponseMessage preflight = await PreflightAsync("/cors/" + key, "https://evil.example");
        // Same host, another scheme or port: another origin.
        using HttpResponseMessage otherScheme = await PreflightAsync("/cors/" + key, "http://app.example");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, preflight.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherScheme.StatusCode);
        foreach (HttpResponseMessage response in new[] { get, preflight, otherScheme })
        {
            Assert.DoesNotContain(response.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        }

        // The answer differs by Origin: a shared cache must not hand this one to an allowed page.
        Assert.Equal(["Origin"], get.Headers.Vary);
    }

    [Fact]
    public async Task A_request_without_origin_gets_no_cors_headers_but_vary_origin()
    {
        string key = $"cors/{Guid.NewGuid():N}/a.txt";
        await gateway.Store.PutObjectAsync(Bucket, key, "hello"u8.ToArray(), "text/plain");

        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/cors/" + key, origin: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["Origin"], response.Headers.Vary);
    }

    [Fact]
    public async Task Vary_origin_survives_the_retry_after_a_refused_url()
    {
        string key = $"cors/{Guid.NewGuid():N}/a.txt";
        await gateway.Store.PutObjectAsync(Bucket, key, "hello"u8.ToArray(), "text/plain");
        // The first answer refuses the signature: the gateway clears the response, signs again and retries.
        await gateway.Store.AddErrorFaultAsync(key, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match.");

        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/cors/" + key, origin: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Origin"], response.Headers.Vary);
    }

    [Fact]
    public async Task A_star_site_allows_every_origin_with_star_and_no_vary()
    {
        string key = $"cors/{Guid.NewGuid():N}/a.txt";
        await gateway.Store.PutObjectAsync(Bucket, key, "hello"u8.ToArray(), "text/plain");

        using HttpResponseMessage get = await SendAsync(HttpMethod.Get, "/anycors/" + key, "https://anyone.example");
        using HttpResponseMessage head = await SendAsync(HttpMethod.Head, "/anycors/" + key, "http://localhost:1234");
        using HttpResponseMessage preflight = await PreflightAsync("/anycors/" + key, "https://anyone.example");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        foreach (HttpResponseMessage response in new[] { get, head, preflight })
        {
            Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
            Assert.DoesNotContain("Origin", response.Headers.Vary);
        }

        Assert.Equal(Exposed.Split(','), List(get, "Access-Control-Expose-Headers"));
        Assert.Equal("600", Single(preflight, "Access-Control-Max-Age"));
    }

    [Theory]
    [InlineData("/s3/x.txt", true)]
    [InlineData("/r/s3/x.txt", true)]
    [InlineData("/cors/x.txt", false)]
    public async Task Options_that_is_no_preflight_for_a_cors_site_is_405_as_before(string path, bool preflight)
    {
        // A site without CORS: a full preflight gets today's 405. A CORS site: OPTIONS without
        // Access-Control-Request-Method is no preflight, and gets the 405 too.
        using HttpResponseMessage response = preflight
            ? await PreflightAsync(path, CorsGateway.AppOrigin)
            : await SendAsync(HttpMethod.Options, path, CorsGateway.AppOrigin);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
        Assert.DoesNotContain(response.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("https://app.example/", "AllowedOrigins has 'https://app.example/'")]
    [InlineData("https://app.example/path", "AllowedOrigins has 'https://app.example/path'")]
    [InlineData("app.example", "AllowedOrigins has 'app.example'")]
    [InlineData("ftp://app.example", "AllowedOrigins has 'ftp://app.example'")]
    [InlineData("https://*.example.com", "AllowedOrigins has 'https://*.example.com'")]
    [InlineData("https://user@app.example", "AllowedOrigins has 'https://user@app.example'")]
    public void A_malformed_origin_stops_start_up_with_the_setting_named(string origin, string expected)
    {
        Dictionary<string, string?> settings = TestSites.Settings(gateway.Store);
        settings["Gateway:Sites:proxy-S3V4:Cors:AllowedOrigins:0"] = "https://ok.example:8443";
        settings["Gateway:Sites:proxy-S3V4:Cors:AllowedOrigins:1"] = origin;

        StartupException e = Assert.Throws<StartupException>(() => GatewayApplication.CreateBuilder([], c => c.AddInMemoryCollection(settings)));

        string problem = Assert.Single(e.Problems);
        Assert.StartsWith("Gateway:Sites:proxy-S3V4:Cors:" + expected, problem, StringComparison.Ordinal);
        Assert.Contains("scheme://host[:port]", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AllowedOrigins:0", "*", "AllowedOrigins:1", "https://a.example", "'*' allows every origin")]
    [InlineData("MaxAge", "00:10:00", null, null, "AllowedOrigins is empty")]
    [InlineData("AllowedOrigins:0", "*", "MaxAge", "-00:00:01", "MaxAge '-00:00:01' must be between")]
    [InlineData("AllowedOrigins:0", "*", "MaxAge", "2.00:00:00", "MaxAge '2.00:00:00' must be between")]
    public void Cors_settings_are_checked_at_start_up(string name, string value, string? otherName, string? otherValue, string expected)
    {
        Dictionary<string, string?> settings = TestSites.Settings(gateway.Store);
        settings["Gateway:Sites:proxy-S3V4:Cors:" + name] = value;
        if (otherName is not null)
        {
            settings["Gateway:Sites:proxy-S3V4:Cors:" + otherName] = otherValue;
        }

        StartupException e = Assert.Throws<StartupException>(() => GatewayApplication.CreateBuilder([], c => c.AddInMemoryCollection(settings)));

        Assert.Contains(e.Problems, problem => problem.StartsWith("Gateway:Sites:proxy-S3V4:Cors:", StringComparison.Ordinal) && problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chromium_fetches_a_proxied_download_from_another_origin_and_reads_its_name_and_size()
    {
        await ToolInstaller.EnsureNpmPackagesAsync(RepositoryPaths.BrowserDownload, "playwright-core");
        string key = $"cors/{Guid.NewGuid():N}/年度报告 2024.pdf";
        await gateway.Store.PutObjectAsync(Bucket, key, RandomNumberGenerator.GetBytes(20_000), "application/pdf");
        string url = new Uri(gateway.Host.BaseAddress, "/cors/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString))).AbsoluteUri;

        // If-None-Match is not a CORS-safelisted header: the browser sends a preflight first.
        using JsonDocument allowed = await FetchFromPageAsync(gateway.PageAddress, url);
        using JsonDocument refused = await FetchFromPageAsync(new UriBuilder(gateway.PageAddress) { Host = "localhost" }.Uri, url);

        JsonElement read = allowed.RootElement;
        Assert.True(read.GetProperty("ok").GetBoolean(), read.ToString());
        Assert.Equal(200, read.GetProperty("status").GetInt32());
        Assert.Equal("attachment; filename=\"____ 2024.pdf\"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%202024.pdf", read.GetProperty("contentDisposition").GetString());
        Assert.Equal("20000", read.GetProperty("contentLength").GetString());
        Assert.Equal(20_000, read.GetProperty("bytes").GetInt32());
        Assert.Contains(read.GetProperty("requests").EnumerateArray(), request => request.GetString() == "OPTIONS " + url);

        Assert.False(refused.RootElement.GetProperty("ok").GetBoolean(), refused.RootElement.ToString());
        Assert.Contains("Failed to fetch", refused.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonDocument> FetchFromPageAsync(Uri page, string url)
    {
        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "node", [Path.Combine(RepositoryPaths.BrowserDownload, "fetch.js"), "--page", page.AbsoluteUri, "--url", url, "--header", "If-None-Match: \"none\"", "--timeout-ms", "45000"],
            timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, stderr);
        return JsonDocument.Parse(stdout);
    }

    private Task<HttpResponseMessage> PreflightAsync(string path, string origin)
        => SendAsync(HttpMethod.Options, path, origin, request =>
        {
            request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
            request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "range,if-none-match");
        });

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? origin, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        configure?.Invoke(request);
        return await gateway.Host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Single(HttpResponseMessage response, string name)
        => Assert.Single(response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values : []);

    /// <summary>A comma-separated header's items, however the server split them into fields.</summary>
    private static string[] List(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out IEnumerable<string>? values)
            ? [.. values.SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))]
            : [];
}
