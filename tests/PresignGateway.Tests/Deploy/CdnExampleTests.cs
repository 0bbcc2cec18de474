using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Deploy;

/// <summary>
/// README's "Behind a CDN" examples, run as written (only the addresses and the cache path replaced) in front of a
/// real gateway: real nginx with proxy_cache and slice, real Varnish 7. The store's request log says how often the
/// object was really fetched.
/// </summary>
public sealed partial class CdnExampleTests(TestStore store)
{
    private const string PublicHost = "downloads.example.com";

    [Fact]
    public async Task Readme_nginx_example_caches_by_link_and_query_and_fetches_a_big_object_once_per_slice()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings());
        string example = ReadmeBlock("nginx");
        await using NginxCache nginx = await NginxCache.StartAsync((port, dir) => example
            .Replace("/var/cache/nginx/downloads", dir + "/cache", StringComparison.Ordinal)
            .Replace("listen 80;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal)
            .Replace("http://gateway:8080", $"http://127.0.0.1:{gateway.BaseAddress.Port}", StringComparison.Ordinal));

        await AssertCachesByLinkAndQueryAsync(nginx.Client, response => response.Headers.GetValues("X-Cache-Status").Single() == "HIT");

        // 16 connections at once over one 32 MiB object, as aria2c -x16 downloads: 4 slices, 4 fetches.
        string key = $"cdn/{Guid.NewGuid():N}/big.bin";
        byte[] big = RandomNumberGenerator.GetBytes(32 * 1024 * 1024);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, big);
        const int Parts = 16;
        int part = big.Length / Parts;
        byte[][] bodies = await Task.WhenAll(Enumerable.Range(0, Parts).Select(async i =>
        {
            using var request = Request(nginx.Client, "/" + key["cdn/".Length..]);
            request.Headers.Range = new RangeHeaderValue(i * part, ((i + 1) * part) - 1);
            using HttpResponseMessage response = await nginx.Client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        }));

        for (int i = 0; i < Parts; i++)
        {
            Assert.True(big.AsSpan(i * part, part).SequenceEqual(bodies[i]), $"part {i} differs");
        }

        IReadOnlyList<RecordedRequest> fetches = [.. (await store.RequestsForAsync(key)).Where(r => r.Method == "GET")];
        Assert.Equal(4, fetches.Count);
    }

    [Fact]
    public async Task Readme_varnish_example_caches_by_link_and_query_and_serves_ranges_from_one_fetch()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings());
        await using VarnishCache varnish = await VarnishCache.StartAsync(ReadmeBlock("vcl")
            .Replace("\"gateway\"", "\"127.0.0.1\"", StringComparison.Ordinal)
            .Replace("\"8080\"", $"\"{gateway.BaseAddress.Port}\"", StringComparison.Ordinal));

        // Varnish says a hit with two transaction ids in X-Varnish.
        await AssertCachesByLinkAndQueryAsync(varnish.Client, response => response.Headers.GetValues("X-Varnish").Single().Contains(' ', StringComparison.Ordinal));

        string key = $"cdn/{Guid.NewGuid():N}/big.bin";
        byte[] big = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, big);
        using HttpResponseMessage whole = await varnish.Client.SendAsync(Request(varnish.Client, "/" + key["cdn/".Length..]), TestContext.Current.CancellationToken);
        Assert.Equal(big, await whole.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        using var ranged = Request(varnish.Client, "/" + key["cdn/".Length..]);
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using HttpResponseMessage part = await varnish.Client.SendAsync(ranged, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(big.AsSpan(1000, 1000).ToArray(), await part.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Single(await store.RequestsForAsync(key), r => r.Method == "GET");
    }

    /// <summary>
    /// The same link twice: one fetch, then a hit. Another <c>filename</c>: its own entry with its own name. A host no
    /// site serves: 421 from the gateway, not kept.
    /// </summary>
    private async Task AssertCachesByLinkAndQueryAsync(HttpClient cache, Func<HttpResponseMessage, bool> isHit)
    {
        string name = $"{Guid.NewGuid():N}/report.pdf";
        byte[] content = RandomNumberGenerator.GetBytes(50_000);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), "cdn/" + name, content, "application/pdf");

        using HttpResponseMessage first = await cache.SendAsync(Request(cache, "/" + name), TestContext.Current.CancellationToken);
        using HttpResponseMessage second = await cache.SendAsync(Request(cache, "/" + name), TestContext.Current.CancellationToken);
        using HttpResponseMessage renamed = await cache.SendAsync(Request(cache, $"/{name}?filename=q4.pdf"), TestContext.Current.CancellationToken);
        using HttpResponseMessage renamedAgain = await cache.SendAsync(Request(cache, $"/{name}?filename=q4.pdf"), TestContext.Current.CancellationToken);
        using HttpResponseMessage originalAgain = await cache.SendAsync(Request(cache, "/" + name), TestContext.Current.CancellationToken);
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/" + name);
        unknown.Headers.Host = "elsewhere.example.com";
        using HttpResponseMessage misdirected = await cache.SendAsync(unknown, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(content, await second.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.True(isHit(second), "The second request for the same link should be a cache hit.");
        Assert.Equal("report.pdf", second.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("q4.pdf", renamed.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.True(isHit(renamedAgain));
        Assert.Equal("q4.pdf", renamedAgain.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("report.pdf", originalAgain.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(2, (await store.RequestsForAsync("cdn/" + name)).Count(r => r.Method == "GET"));
        Assert.Equal((HttpStatusCode)421, misdirected.StatusCode);
    }

    private static HttpRequestMessage Request(HttpClient cache, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cache.BaseAddress!, path));
        request.Headers.Host = PublicHost;
        return request;
    }

    private Dictionary<string, string?> Settings()
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:cdn:Hosts:0"] = PublicHost;
        settings["Gateway:Sites:cdn:Store"] = "oss4";
        settings["Gateway:Sites:cdn:KeyPrefix"] = "cdn/";
        settings["Gateway:Sites:cdn:CacheControl"] = "public, max-age=3600";
        settings["Gateway:Sites:cdn:AllowedQuery:0"] = "filename";
        return settings;
    }

    /// <summary>The first fenced block of <paramref name="language"/> in README's "Behind a CDN" section.</summary>
    private static string ReadmeBlock(string language)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        int section = readme.IndexOf("\n## Behind a CDN\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no '## Behind a CDN' section.");
        Match block = FencedBlock().Match(readme, section);
        while (block.Success && block.Groups["language"].Value != language)
        {
            block = block.NextMatch();
        }

        Assert.True(block.Success, $"README's CDN section has no ```{language} block.");
        return block.Groups["body"].Value;
    }

    [GeneratedRegex(@"```(?<language>\w+)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
