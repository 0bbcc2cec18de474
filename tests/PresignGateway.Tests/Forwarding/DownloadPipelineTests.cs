using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using PresignGateway.Presigning;
using PresignGateway.Signing;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>One gateway for the pipeline tests, pointed at the assembly's test store.</summary>
public sealed class PipelineGateway(TestStore store) : IAsyncLifetime
{
    internal GatewayHost Host { get; private set; } = null!;

    public TestStore Store => store;

    public async ValueTask InitializeAsync() => Host = await GatewayHost.StartAsync(TestSites.Settings(store));

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// End to end through real Kestrel and the signature-checking store, for each signing scheme and both modes:
/// bytes, headers, ranges, conditionals, errors, and the exact request target the store received.
/// </summary>
public sealed class DownloadPipelineTests(PipelineGateway gateway) : IClassFixture<PipelineGateway>
{
    private static readonly string[] HostileKeys =
    [
        "plus+plus.txt", "'(1).txt", "a=b@c", "%bad%name%", "double  spaces.txt", "报告/2024年度报告.pdf", "Привет мир.txt",
        "emoji/😀🎉 party.png", " leading and trailing ", "a//b///c.txt", "q/a#b?c&d=e.txt", "semi;colon,comma.txt", "tilde~star*bang!.txt",
        "[brackets]{braces}|pipe^caret`.txt", new string('k', 900),
    ];

    private TestStore Store => gateway.Store;

    private HttpClient Client => gateway.Host.Client;

    public static TheoryData<StoreKind, bool> Layouts()
    {
        var data = new TheoryData<StoreKind, bool>();
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            data.Add(kind, false);
            data.Add(kind, true);
        }

        return data;
    }

    public static TheoryData<StoreKind> Kinds() => [.. Enum.GetValues<StoreKind>()];

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Full_download_is_byte_exact_with_download_headers(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "report 2024.pdf", 70_000, "application/pdf");

        using HttpResponseMessage response = await DownloadAsync(kind, redirect, key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("attachment; filename=\"report 2024.pdf\"; filename*=UTF-8''report%202024.pdf", string.Join(", ", response.Content.Headers.GetValues("Content-Disposition")));
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"", response.Headers.ETag?.Tag);
        Assert.NotNull(response.Content.Headers.LastModified);
        if (!redirect)
        {
            Assert.Equal(TestSites.CacheControl, response.Headers.CacheControl?.ToString());
            AssertNoStorageHeaders(response);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Hostile_keys_are_served_byte_exact(StoreKind kind, bool redirect)
    {
        string folder = $"hostile/{Guid.NewGuid():N}/";
        foreach (string name in HostileKeys)
        {
            string key = folder + name;
            byte[] content = RandomNumberGenerator.GetBytes(1000 + name.Length);
            await Store.PutObjectAsync(TestSites.Bucket(kind), key, content);

            using HttpResponseMessage response = await DownloadAsync(kind, redirect, key);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{kind} {(redirect ? "redirect" : "proxy")} '{name}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Head_has_the_same_headers_as_get(StoreKind kind, bool redirect)
    {
        (string key, _) = await UploadAsync(kind, "app.bin", 4096);

        using HttpResponseMessage get = await DownloadAsync(kind, redirect, key);
        using HttpResponseMessage head = await DownloadAsync(kind, redirect, key, method: HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.ContentDisposition, head.Content.Headers.ContentDisposition);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.AcceptRanges, head.Headers.AcceptRanges);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Ranges_are_served_exactly(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "ranged.bin", 1000);

        await AssertRange("bytes=0-99", 0, 99);
        await AssertRange("bytes=-100", 900, 999);
        await AssertRange("bytes=100-", 100, 999);
        await AssertRange("bytes=0-0", 0, 0);

        using HttpResponseMessage unsatisfiable = await DownloadAsync(kind, redirect, key, request => request.Headers.Range = new RangeHeaderValue(5000, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */1000", unsatisfiable.Content.Headers.ContentRange?.ToString());

        async Task AssertRange(string range, int first, int last)
        {
            using HttpResponseMessage response = await DownloadAsync(kind, redirect, key, request => request.Headers.Range = RangeHeaderValue.Parse(range));
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {first}-{last}/1000", response.Content.Headers.ContentRange?.ToString());
            Assert.Equal(content[first..(last + 1)], await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task If_none_match_gives_304_and_if_range_resumes_only_the_same_version(StoreKind kind, bool redirect)
    {
        (string key, byte[] content) = await UploadAsync(kind, "conditional.bin", 2000);
        using HttpResponseMessage first = await DownloadAsync(kind, redirect, key);
        EntityTagHeaderValue etag = first.Headers.ETag!;

        using HttpResponseMessage notModified = await DownloadAsync(kind, redirect, key, request => request.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(etag, notModified.Headers.ETag);

        using HttpResponseMessage resumed = await DownloadAsync(kind, redirect, key, request =>
        {
            request.Headers.Range = new RangeHeaderValue(1500, null);
            request.Headers.IfRange = new RangeConditionHeaderValue(etag);
        });
        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(content[1500..], await resumed.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        using HttpResponseMessage changed = await DownloadAsync(kind, redirect, key, request =>
        {
            request.Headers.Range = new RangeHeaderValue(1500, null);
            request.Headers.IfRange = new RangeConditionHeaderValue("\"some-older-version\"");
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(content, await changed.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Missing_object_is_404(StoreKind kind, bool redirect)
    {
        using HttpResponseMessage response = await DownloadAsync(kind, redirect, $"missing/{Guid.NewGuid():N}.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        if (!redirect)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.DoesNotContain("<Error>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Url_the_store_rejects_is_502_without_the_storage_error(StoreKind kind)
    {
        (string key, _) = await UploadAsync(kind, "rejected.bin", 100);
        await Store.AddFaultAsync(key, "reject-signature", times: 10);

        using HttpResponseMessage response = await DownloadAsync(kind, redirect: false, key);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("SignatureDoesNotMatch", body, StringComparison.Ordinal);
        Assert.DoesNotContain("StringToSign", body, StringComparison.Ordinal);
        AssertNoStorageHeaders(response);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Store_receives_exactly_the_signed_url(StoreKind kind)
    {
        (string key, _) = await UploadAsync(kind, "a+b (1)/c=d@e's %2F file.txt", 10);

        using HttpResponseMessage response = await DownloadAsync(kind, redirect: false, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var cache = gateway.Host.Services.GetRequiredService<PresignedUrlCache>();
        SiteFinder.TryFind(gateway.Host, TestSites.Prefix(kind, false), out PresignGateway.Sites.Site site);
        CachedPresignedUrl signed = (await cache.GetAsync(new PresignTarget(site.Store, site.Store.CredentialSource.Current, PresignMethod.Get, key, null, null, null), gateway.Host.Services.GetRequiredService<TimeProvider>().GetUtcNow(), TestContext.Current.CancellationToken)).Url;
        RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
        (_, string path, string query) = PresignGateway.Signing.Tests.UrlComparison.Split(signed.Url);
        Assert.Equal(path + "?" + query, received.Url);
        Assert.Equal(kind == StoreKind.OssV1 ? $"localhost:{Store.Port}" : $"127.0.0.1:{Store.Port}", received.Host);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Redirect_points_at_a_url_the_store_accepts_with_the_same_file_name(StoreKind kind)
    {
        (string key, _) = await UploadAsync(kind, "报告 2024.pdf", 100);

        using HttpResponseMessage redirect = await Client.GetAsync(TestSites.PathFor(kind, true, key), TestContext.Current.CancellationToken);
        using HttpResponseMessage proxied = await Client.GetAsync(TestSites.PathFor(kind, false, key), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.True(redirect.Headers.CacheControl?.Private);
        TimeSpan maxAge = redirect.Headers.CacheControl!.MaxAge!.Value;
        Assert.InRange(maxAge, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(55));
        Assert.StartsWith(kind == StoreKind.OssV1 ? Store.CnameEndpoint : Store.Endpoint, redirect.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using HttpResponseMessage followed = await FollowAsync(redirect, HttpMethod.Get, null);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal(proxied.Content.Headers.ContentDisposition, followed.Content.Headers.ContentDisposition);
        Assert.Equal("报告 2024.pdf", followed.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Alias_serves_its_key_under_its_name(StoreKind kind, bool redirect)
    {
        byte[] content = RandomNumberGenerator.GetBytes(3000);
        await Store.PutObjectAsync(TestSites.Bucket(kind), "releases/1.4.2/app-1.4.2.zip", content, "application/zip");

        using HttpResponseMessage response = await GetFollowingAsync(TestSites.Prefix(kind, redirect) + "/latest/app.zip", HttpMethod.Get, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("app.zip", response.Content.Headers.ContentDisposition?.FileName);
    }

    [Fact]
    public async Task Requested_file_name_and_inline_are_honoured_where_allowed()
    {
        (string key, _) = await UploadAsync(StoreKind.OssV4, "data.csv", 10, "text/csv");

        using HttpResponseMessage named = await Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key) + "?filename=" + Uri.EscapeDataString("évolution \"2024\";.csv"), TestContext.Current.CancellationToken);
        using HttpResponseMessage inline = await Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key) + "?inline", TestContext.Current.CancellationToken);

        Assert.Equal("évolution \"2024\";.csv", named.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("inline", inline.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Version_and_image_processing_are_signed_in_only_where_they_apply(StoreKind kind)
    {
        (string key, _) = await UploadAsync(kind, "photo.jpg", 100, "image/jpeg");

        using HttpResponseMessage response = await Client.GetAsync(
            TestSites.PathFor(kind, false, key) + "?versionId=v%2B1&x-oss-process=image%2Fresize%2Cw_100&utm_source=mail", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
        List<string> query = PresignGateway.Signing.Tests.UrlComparison.DecodeQuery(PresignGateway.Signing.Tests.UrlComparison.Split("http://h" + received.Url).Query);
        Assert.Contains("versionId=v+1", query);
        Assert.Equal(kind != StoreKind.S3V4, query.Contains("x-oss-process=image/resize,w_100"));
        Assert.DoesNotContain(query, pair => pair.StartsWith("utm_source", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Head_and_get_are_signed_separately()
    {
        (string key, _) = await UploadAsync(StoreKind.S3V4, "twice.bin", 10);

        using HttpResponseMessage head = await DownloadAsync(StoreKind.S3V4, false, key, method: HttpMethod.Head);
        using HttpResponseMessage get = await DownloadAsync(StoreKind.S3V4, false, key);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        IReadOnlyList<RecordedRequest> received = await Store.RequestsForAsync(key);
        Assert.Equal(["HEAD", "GET"], received.Select(r => r.Method));
        Assert.NotEqual(received[0].Url, received[1].Url);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_get_405_with_allow(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/oss4/anything.txt");

        using HttpResponseMessage response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));
    }

    [Theory]
    [InlineData("/oss4/a/../b.txt", "'.' or '..' segment")]
    [InlineData("/oss4/a/%2e%2E/b.txt", "'.' or '..' segment")]
    [InlineData("/oss4/a/%01b.txt", "control character")]
    [InlineData("/oss4/%ff%fe.txt", "valid UTF-8")]
    [InlineData("/oss4/bad%zzescape.txt", "two hex digits")]
    [InlineData("/oss4/", "names no object")]
    public async Task Bad_paths_are_400_with_a_problem_body(string path, string expected)
    {
        using HttpResponseMessage response = await RawClient.SendRawAsync(gateway.Host.BaseAddress, "GET", path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Body_sent_with_get_is_never_forwarded(StoreKind kind)
    {
        (string key, byte[] content) = await UploadAsync(kind, "with-body.bin", 300);
        const string Body = "a body that must not reach the store";

        using HttpResponseMessage response = await RawClient.SendRawAsync(
            gateway.Host.BaseAddress, "GET", TestSites.PathFor(kind, false, key), $"Content-Type: text/plain\r\nContent-Length: {Body.Length}\r\n", Body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        RecordedRequest received = Assert.Single(await Store.RequestsForAsync(key));
        Assert.Equal("GET", received.Method);
    }

    [Fact]
    public async Task Encoded_nul_is_refused_by_kestrel_before_the_gateway()
    {
        using HttpResponseMessage response = await RawClient.SendRawAsync(gateway.Host.BaseAddress, "GET", "/oss4/a%00b.txt");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Host_no_site_serves_is_421()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oss4/a.txt");
        request.Headers.Host = "unknown.example.com";

        using HttpResponseMessage response = await Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
    }

    private async Task<(string Key, byte[] Content)> UploadAsync(StoreKind kind, string name, int size, string contentType = "application/octet-stream")
    {
        string key = $"e2e/{Guid.NewGuid():N}/{name}";
        byte[] content = RandomNumberGenerator.GetBytes(size);
        await Store.PutObjectAsync(TestSites.Bucket(kind), key, content, contentType);
        return (key, content);
    }

    /// <summary>GET or HEAD through the gateway; in redirect mode, follows the 302 to the store with the same headers.</summary>
    private Task<HttpResponseMessage> DownloadAsync(StoreKind kind, bool redirect, string key, Action<HttpRequestMessage>? configure = null, HttpMethod? method = null)
        => GetFollowingAsync(TestSites.PathFor(kind, redirect, key), method ?? HttpMethod.Get, configure);

    private async Task<HttpResponseMessage> GetFollowingAsync(string path, HttpMethod method, Action<HttpRequestMessage>? configure)
    {
        using var request = new HttpRequestMessage(method, path);
        configure?.Invoke(request);
        HttpResponseMessage response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.StatusCode != HttpStatusCode.Found)
        {
            return response;
        }

        using (response)
        {
            return await FollowAsync(response, method, configure);
        }
    }

    private static async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage redirect, HttpMethod method, Action<HttpRequestMessage>? configure)
    {
        using HttpClient direct = GatewayHost.CreateClient();
        string location = redirect.Headers.Location!.OriginalString;
        using var request = new HttpRequestMessage(method, new Uri(location, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        configure?.Invoke(request);
        return await direct.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static void AssertNoStorageHeaders(HttpResponseMessage response)
    {
        foreach ((string name, _) in response.Headers.Concat(response.Content.Headers))
        {
            Assert.False(name.StartsWith("x-oss-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase), $"Storage header {name} reached the client.");
            Assert.NotEqual("Server", name, StringComparer.OrdinalIgnoreCase);
        }
    }
}
