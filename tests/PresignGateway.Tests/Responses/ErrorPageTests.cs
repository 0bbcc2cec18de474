using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using PresignGateway.Tests.Forwarding;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// Errors a person can read, end to end through real Kestrel and the test store: a browser's Accept gets a small HTML
/// page, every other client problem+json; 412 and 416 carry a body too; headless Chromium shows the page's text.
/// </summary>
public sealed class ErrorPageTests(PipelineGateway gateway) : IClassFixture<PipelineGateway>
{
    private const string ChromiumAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

    public static TheoryData<string?, string> Clients() => new()
    {
        { ChromiumAccept, "text/html" },
        { "text/html", "text/html" },
        { "*/*", "application/problem+json" },
        { "application/json", "application/problem+json" },
        { "application/problem+json", "application/problem+json" },
        { "text/html;q=0.5, application/json", "application/problem+json" },
        { null, "application/problem+json" },
    };

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_missing_object_is_a_page_for_browsers_and_problem_json_for_the_rest(string? accept, string mediaType)
    {
        string key = $"errors/{Guid.NewGuid():N}/secret-name.txt";

        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, TestSites.PathFor(StoreKind.S3V4, false, key), accept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        AssertNoInternals(body, key);
        if (mediaType == "text/html")
        {
            Assert.Contains("<h1>404 Not Found</h1>", body, StringComparison.Ordinal);
            Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
        else
        {
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
            Assert.False(response.Headers.Contains("Content-Security-Policy"));
        }
    }

    [Theory]
    [InlineData("GET", "/s3/x.txt", "127.0.0.1", 405)]
    [InlineData("GET", "/s3/x.txt", "unknown.example", 421)]
    [InlineData("GET", "/nowhere/x.txt", "127.0.0.1", 404)]
    [InlineData("GET", "/s3/x.txt?filename=a&filename=b", "127.0.0.1", 400)]
    public async Task Errors_before_the_store_are_pages_for_browsers_too(string method, string path, string host, int status)
    {
        using var request = new HttpRequestMessage(status == 405 ? HttpMethod.Post : new HttpMethod(method), path);
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Accept", ChromiumAccept);

        using HttpResponseMessage response = await gateway.Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"<h1>{status} ", body, StringComparison.Ordinal);
        AssertNoInternals(body, "x.txt");
    }

    [Theory]
    [InlineData(ChromiumAccept, "text/html")]
    [InlineData("*/*", "application/problem+json")]
    public async Task Range_not_satisfiable_has_a_body_and_the_size(string accept, string mediaType)
    {
        string key = await UploadAsync();

        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, TestSites.PathFor(StoreKind.OssV4, false, key), accept, request => request.Headers.Range = new RangeHeaderValue(5000, null));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.Content.Headers.ContentLength > 0);
        Assert.Contains("Range Not Satisfiable", body, StringComparison.Ordinal);
        AssertNoInternals(body, key);
    }

    [Theory]
    [InlineData(ChromiumAccept, "text/html")]
    [InlineData("*/*", "application/problem+json")]
    public async Task Precondition_failed_has_a_body(string accept, string mediaType)
    {
        string key = await UploadAsync();

        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, TestSites.PathFor(StoreKind.S3V4, false, key), accept, request => request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"another-version\"")));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.Content.Headers.ContentLength > 0);
        Assert.Contains("Precondition Failed", body, StringComparison.Ordinal);
        AssertNoInternals(body, key);
    }

    [Fact]
    public async Task Head_gets_the_page_headers_without_a_body()
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Head, TestSites.PathFor(StoreKind.S3V4, false, $"errors/{Guid.NewGuid():N}.txt"), ChromiumAccept);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Chromium_shows_the_page_text_for_a_missing_file()
    {
        string key = $"errors/{Guid.NewGuid():N}/gone.pdf";
        string url = new Uri(gateway.Host.BaseAddress, TestSites.PathFor(StoreKind.OssV4, false, key)).AbsoluteUri;

        using JsonDocument shown = await BrowserPage.ShowAsync(url);
        JsonElement page = shown.RootElement;
        Assert.Equal(404, page.GetProperty("status").GetInt32());
        Assert.StartsWith("text/html", page.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        Assert.Equal("en", page.GetProperty("lang").GetString());
        Assert.Equal("404 Not Found", page.GetProperty("title").GetString());
        string text = page.GetProperty("text").GetString()!;
        Assert.Contains("404 Not Found", text, StringComparison.Ordinal);
        Assert.Contains("No object at this path.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\"", text, StringComparison.Ordinal);
        // The inline style applied (its hash is in the policy) and nothing was blocked or fetched besides the page.
        Assert.Contains("system-ui", page.GetProperty("bodyFontFamily").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(page.GetProperty("consoleErrors").EnumerateArray(), e => e.GetString()!.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.Equal([url], page.GetProperty("requests").EnumerateArray().Select(e => e.GetString()!).Where(u => !u.EndsWith("/favicon.ico", StringComparison.Ordinal)));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accept, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        configure?.Invoke(request);
        return await gateway.Host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<string> UploadAsync()
    {
        string key = $"errors/{Guid.NewGuid():N}/data.bin";
        foreach (StoreKind kind in new[] { StoreKind.OssV4, StoreKind.S3V4 })
        {
            await gateway.Store.PutObjectAsync(TestSites.Bucket(kind), key, RandomNumberGenerator.GetBytes(1000));
        }

        return key;
    }

    /// <summary>No store, bucket, key, URL or store error text in an answer to a client.</summary>
    private void AssertNoInternals(string body, string key)
    {
        foreach (string secret in new[] { key, gateway.Store.Endpoint, "s3-bucket", "oss-bucket", "<Error>", "NoSuchKey", "X-Amz", "x-oss", "Signature", "http://", "https://" })
        {
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }
    }
}
