using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using PresignGateway.Tests.Hardening;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// The access log end to end: a real gateway, the real test store, every line captured. One line per request in
/// PresignGateway.Access with the fields a CDN operator needs; no query, no signature; nothing when it is off;
/// control characters from the client never reach the line as they are.
/// </summary>
public sealed class AccessLogTests(TestStore store)
{
    private const string Category = "PresignGateway.Access";
    private const string OriginHeader = "X-Origin-Secret";

    [Fact]
    public async Task A_proxied_download_is_one_line_with_every_field()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAsync(1000);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);
        await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, key);
        Assert.Equal("GET", line["Method"]);
        Assert.Equal(gateway.BaseAddress.Authority, line["Host"]);
        Assert.Equal(TestSites.PathFor(StoreKind.OssV4, false, key), line["Path"]);
        Assert.Equal("200", line["Status"]);
        Assert.Equal("1000", line["BytesSent"]);
        Assert.True(double.Parse(line["DurationMs"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("127.0.0.1", line["Client"]);
        Assert.Equal("proxy-OssV4", line["Site"]);
        Assert.Equal("proxy", line["Mode"]);
        Assert.Equal("signed", line["CacheTier"]);
        Assert.Equal("200", line["UpstreamStatus"]);
        Assert.Matches("^[0-9a-f]{32}$|^[0-9A-Z:]+$", line["TraceId"]);

        using HttpResponseMessage again = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);
        await again.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal("memory", (await LinesAsync(gateway, key, 2))[1]["CacheTier"]);
    }

    [Theory]
    [InlineData(true, "203.0.113.9")]
    [InlineData(false, "127.0.0.1")]
    public async Task The_client_is_the_forwarded_address_only_from_a_trusted_proxy(bool trusted, string client)
    {
        await using GatewayHost gateway = await StartAsync(trusted ? new() { ["Gateway:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" } : null);
        string path = $"/oss4/access/{Guid.NewGuid():N}.txt";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(client, (await SingleLineAsync(gateway, path))["Client"]);
    }

    [Fact]
    public async Task A_range_logs_206_and_the_bytes_sent()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAsync(1000);
        using var request = new HttpRequestMessage(HttpMethod.Get, TestSites.PathFor(StoreKind.S3V4, false, key));
        request.Headers.Range = new RangeHeaderValue(100, 149);

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, key);
        Assert.Equal("206", line["Status"]);
        Assert.Equal("50", line["BytesSent"]);
        Assert.Equal("206", line["UpstreamStatus"]);
    }

    [Fact]
    public async Task A_head_sends_no_bytes()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAsync(1000);

        using HttpResponseMessage response = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, TestSites.PathFor(StoreKind.S3V4, false, key)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, key);
        Assert.Equal(("HEAD", "200", "0"), (line["Method"], line["Status"], line["BytesSent"]));
    }

    [Fact]
    public async Task A_redirect_logs_302_without_an_upstream_status()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAsync(10);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV1, true, key), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, Uri.EscapeDataString(key.Split('/')[1]));
        Assert.Equal(("302", "0", "redirect", "redirect-OssV1", "signed", ""), (line["Status"], line["BytesSent"], line["Mode"], line["Site"], line["CacheTier"], line["UpstreamStatus"]));
    }

    [Fact]
    public async Task A_missing_object_logs_404_from_the_store_and_the_error_body()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = $"access/{Guid.NewGuid():N}/missing.txt";

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, key), TestContext.Current.CancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, key);
        Assert.Equal(("404", "404", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), (line["Status"], line["UpstreamStatus"], line["BytesSent"]));
    }

    [Fact]
    public async Task A_refusal_by_protection_logs_403_with_the_site_and_no_cache_tier()
    {
        await using GatewayHost gateway = await StartAsync(new() { ["Gateway:Sites:cdn:Protection:OriginSecret:Header"] = OriginHeader, ["Gateway:Sites:cdn:Protection:OriginSecret:Values:0"] = "origin-secret-value-0123456789abcdef" });
        string key = await UploadAsync(10);

        using HttpResponseMessage response = await gateway.Client.GetAsync("/cdn/" + key, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, key);
        Assert.Equal(("403", "cdn", "proxy", "", ""), (line["Status"], line["Site"], line["Mode"], line["CacheTier"], line["UpstreamStatus"]));
    }

    [Fact]
    public async Task An_unknown_host_logs_421()
    {
        await using GatewayHost gateway = await StartAsync();
        string path = $"/oss4/access/{Guid.NewGuid():N}.txt";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "unknown.example";

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode)421, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, path);
        Assert.Equal(("421", "unknown.example", "(none)"), (line["Status"], line["Host"], line["Site"]));
    }

    [Fact]
    public async Task The_query_and_every_signature_stay_out_of_the_log()
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAsync(10);

        // A link as a signed-link client sends it (sig, expires), plus a query the site honours.
        using HttpResponseMessage response = await gateway.Client.GetAsync(
            TestSites.PathFor(StoreKind.OssV4, false, key) + "?filename=report.bin&expires=1999999999&sig=client-sig-0123456789abcdef", TestContext.Current.CancellationToken);
        using HttpResponseMessage redirect = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, true, key), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        IReadOnlyList<IReadOnlyDictionary<string, string>> lines = await LinesAsync(gateway, Uri.EscapeDataString(key.Split('/')[1]), 2);
        Assert.All(lines, line => Assert.DoesNotContain("?", line["Path"], StringComparison.Ordinal));
        Assert.All(gateway.Logs.Lines, line => Assert.DoesNotContain("client-sig-0123456789abcdef", line, StringComparison.Ordinal));
        Assert.All(gateway.Logs.Lines, line => Assert.DoesNotContain("1999999999", line, StringComparison.Ordinal));
        string location = redirect.Headers.Location!.ToString();
        string storeSignature = location[(location.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + "X-Amz-Signature=".Length)..].Split('&')[0];
        LeakChecks.AssertCleanLogs(gateway, [storeSignature, .. LeakChecks.SignaturesIn(await store.RequestsForAsync(key))]);
    }

    [Fact]
    public async Task Disabled_writes_no_line()
    {
        await using GatewayHost gateway = await StartAsync(new() { ["Gateway:AccessLog:Enabled"] = "false" });
        string key = await UploadAsync(10);

        using HttpResponseMessage ok = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);
        await ok.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using HttpResponseMessage missing = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key + ".missing"), TestContext.Current.CancellationToken);
        // A redirect's answer leaves only when its handler has returned, after the point where the line is written.
        using HttpResponseMessage redirect = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, true, key), TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.Found), (ok.StatusCode, missing.StatusCode, redirect.StatusCode));
        Assert.NotEmpty(gateway.Logs.Lines);
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains(" " + Category + "[", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Control_characters_from_the_client_never_reach_the_line_as_they_are()
    {
        await using GatewayHost gateway = await StartAsync();
        string marker = Guid.NewGuid().ToString("N");
        string path = $"/oss4/{marker}%0d%0aInformation%20PresignGateway.Access%5b100%5d%20GET%20forged%1b[31mred%1b[0m%e2%80%a8.txt";

        using HttpResponseMessage response = await gateway.Client.GetAsync(path, TestContext.Current.CancellationToken);

        // The key rules refuse control characters: a 400, logged like any other error.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        IReadOnlyDictionary<string, string> line = await SingleLineAsync(gateway, marker);
        string raw = Assert.Single(gateway.Logs.Lines, l => l.Contains(" " + Category + "[", StringComparison.Ordinal) && l.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain('\r', raw);
        Assert.DoesNotContain('\n', raw);
        Assert.DoesNotContain('\u001b', raw);
        Assert.DoesNotContain('\u2028', raw);
        Assert.Equal($"/oss4/{marker}\\u000D\\u000AInformation PresignGateway.Access[100] GET forged\\u001B[31mred\\u001B[0m\\u2028.txt", line["Path"]);
    }

    [Theory]
    [InlineData("status", "[4] The store", "502")]
    [InlineData("reset-before-headers", "[6] Forwarding to store", "502")]
    public async Task A_store_failure_line_names_the_site_the_path_and_the_trace_id_of_the_access_line(string fault, string warning, string status)
    {
        await using GatewayHost gateway = await StartAsync();
        string key = await UploadAsync(10);
        await store.AddFaultAsync(key, fault, status: 503, times: 5);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key) + "?filename=x.bin", TestContext.Current.CancellationToken);

        Assert.Equal(status, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        IReadOnlyDictionary<string, string> access = await SingleLineAsync(gateway, key);
        string line = Assert.Single(gateway.Logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains(warning, StringComparison.Ordinal));
        IReadOnlyDictionary<string, string> failure = Properties(line);
        Assert.Equal(("proxy-OssV4", TestSites.PathFor(StoreKind.OssV4, false, key), access["TraceId"]), (failure["Site"], failure["Path"], failure["TraceId"]));
        Assert.DoesNotContain("filename", line, StringComparison.Ordinal);
    }

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?>? extra = null)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:cdn:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:cdn:PathPrefix"] = "/cdn";
        settings["Gateway:Sites:cdn:Store"] = "oss4";
        foreach ((string name, string? value) in extra ?? [])
        {
            settings[name] = value;
        }

        return await GatewayHost.StartAsync(settings);
    }

    private async Task<string> UploadAsync(int size)
    {
        string key = $"access/{Guid.NewGuid():N}/file.bin";
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            await store.PutObjectAsync(TestSites.Bucket(kind), key, RandomNumberGenerator.GetBytes(size));
        }

        return key;
    }

    private static async Task<IReadOnlyDictionary<string, string>> SingleLineAsync(GatewayHost gateway, string pathPart)
    {
        IReadOnlyList<IReadOnlyDictionary<string, string>> lines = await LinesAsync(gateway, pathPart, 1);
        return Assert.Single(lines);
    }

    /// <summary>
    /// The access lines whose path contains <paramref name="pathPart"/>, once there are <paramref name="count"/>: a
    /// streamed body reaches the client before the handler returns and logs, so wait a little (bounded).
    /// </summary>
    private static async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> LinesAsync(GatewayHost gateway, string pathPart, int count)
    {
        List<IReadOnlyDictionary<string, string>> lines = [];
        for (int attempt = 0; attempt < 100; attempt++)
        {
            lines = [.. gateway.Logs.Lines.Where(line => line.StartsWith("Information " + Category + "[100] ", StringComparison.Ordinal)).Select(Properties).Where(p => p["Path"].Contains(pathPart, StringComparison.Ordinal))];
            if (lines.Count >= count)
            {
                break;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await Task.Delay(100, TestContext.Current.CancellationToken);
        lines = [.. gateway.Logs.Lines.Where(line => line.StartsWith("Information " + Category + "[100] ", StringComparison.Ordinal)).Select(Properties).Where(p => p["Path"].Contains(pathPart, StringComparison.Ordinal))];
        Assert.Equal(count, lines.Count);
        return lines;
    }

    /// <summary>The structured properties of a captured line (CapturedLogs appends them as <c> | Name=value</c>).</summary>
    private static IReadOnlyDictionary<string, string> Properties(string line)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in line.Split(" | ").Skip(1))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            properties[part[..equals]] = part[(equals + 1)..];
        }

        return properties;
    }
}
