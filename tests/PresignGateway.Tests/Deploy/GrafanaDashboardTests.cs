using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Deploy;

/// <summary>
/// deploy/grafana/presign-gateway.json: it parses as a Grafana dashboard, and every metric its queries name is one the
/// gateway really exposes, checked against real /metrics scrapes of gateways that went through every kind of event
/// the dashboard shows (downloads, redirects, 404s, hits in both tiers, a refused URL, Redis errors, temporary keys).
/// </summary>
public sealed partial class GrafanaDashboardTests(TestStore store, RedisServer redis) : IClassFixture<RedisServer>
{
    private static string DashboardPath => Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "presign-gateway.json");

    [Fact]
    public void Dashboard_is_a_grafana_dashboard_whose_panels_all_query_prometheus()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        JsonElement root = dashboard.RootElement;

        Assert.Equal("presign-gateway", root.GetProperty("uid").GetString());
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(), v => v.GetProperty("type").GetString() == "datasource");
        JsonElement[] panels = [.. root.GetProperty("panels").EnumerateArray()];
        Assert.True(panels.Length >= 6, "The dashboard should show requests, bytes, cache, latency and Redis.");
        Assert.Equal(panels.Length, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (JsonElement panel in panels)
        {
            JsonElement[] targets = [.. panel.GetProperty("targets").EnumerateArray()];
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString())));
        }
    }

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_in_a_real_scrape()
    {
        string[] queried = [.. Expressions().SelectMany(MetricNames).Distinct().Order(StringComparer.Ordinal)];
        Assert.Contains("presign_gateway_requests_total", queried);

        string key = $"grafana/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, new byte[1000]);
        string path = TestSites.PathFor(StoreKind.OssV4, false, key);
        string redirectPath = TestSites.PathFor(StoreKind.OssV4, true, key);

        // One gateway with Redis for the shared tier, one whose Redis is down for the error counters.
        Dictionary<string, string?> shared = Settings(redis.ConnectionString);
        Dictionary<string, string?> brokenRedis = Settings("127.0.0.1:1,connectTimeout=200");
        await using GatewayHost first = await GatewayHost.StartAsync(shared);
        await using GatewayHost second = await GatewayHost.StartAsync(shared);
        await using GatewayHost withoutRedis = await GatewayHost.StartAsync(brokenRedis);
        // One whose OSS store takes temporary keys from the ECS metadata fake, for the credential gauges and counters.
        await using CloudCredentialFake metadata = await CloudCredentialFake.StartAsync("ecs-metadata", store);
        Dictionary<string, string?> temporary = Settings("127.0.0.1:1,connectTimeout=200");
        temporary.Remove("Gateway:Stores:oss4:AccessKeyId");
        temporary.Remove("Gateway:Stores:oss4:AccessKeySecret");
        temporary["Gateway:Stores:oss4:Credentials:Source"] = "EcsRamRole";
        temporary["Gateway:Stores:oss4:Credentials:MetadataEndpoint"] = metadata.Endpoint;
        await using GatewayHost withTemporaryKeys = await GatewayHost.StartAsync(temporary);

        await GetAsync(first, path, HttpStatusCode.OK);
        await GetAsync(first, path, HttpStatusCode.OK); // memory hit
        await GetAsync(first, redirectPath, HttpStatusCode.Found);
        await GetAsync(first, TestSites.PathFor(StoreKind.OssV4, false, "grafana/missing.bin"), HttpStatusCode.NotFound);
        await GetAsync(second, path, HttpStatusCode.OK); // shared hit
        await store.AddErrorFaultAsync(key, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match.");
        await GetAsync(second, path + "?versionId=v1", HttpStatusCode.OK, expectAny: true); // a refused URL, evicted and signed again
        await GetAsync(withoutRedis, path, HttpStatusCode.OK);
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while ((await withTemporaryKeys.Client.GetAsync("/readyz", ready.Token)).StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(100, ready.Token);
            }
        }

        await GetAsync(withTemporaryKeys, path, HttpStatusCode.OK);

        var exposed = new HashSet<string>(StringComparer.Ordinal);
        foreach (GatewayHost gateway in new[] { first, second, withoutRedis, withTemporaryKeys })
        {
            exposed.UnionWith(await ScrapeAsync(gateway));
        }

        string[] missing = [.. queried.Where(name => !exposed.Contains(name))];
        Assert.True(missing.Length == 0, $"The dashboard queries metrics no gateway exposed: {string.Join(", ", missing)}");
    }

    private Dictionary<string, string?> Settings(string redisConnection)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Telemetry:PrometheusEndpoint"] = "true";
        settings["ConnectionStrings:Redis"] = redisConnection;
        return settings;
    }

    private static async Task GetAsync(GatewayHost gateway, string path, HttpStatusCode expected, bool expectAny = false)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(path, TestContext.Current.CancellationToken);
        await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        if (!expectAny)
        {
            Assert.Equal(expected, response.StatusCode);
        }
    }

    private static async Task<IEnumerable<string>> ScrapeAsync(GatewayHost gateway)
    {
        using HttpClient client = GatewayHost.CreateClient(Assert.IsType<Uri>(gateway.MetricsAddress));
        string text = await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        return text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])]);
    }

    private static List<string> Expressions()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var expressions = new List<string>();
        foreach (JsonElement panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            expressions.AddRange(panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!));
        }

        foreach (JsonElement variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.TryGetProperty("definition", out JsonElement definition))
            {
                expressions.Add(definition.GetString()!);
            }
        }

        return expressions;
    }

    /// <summary>The metric names in a PromQL expression: identifiers of the families the gateway exports.</summary>
    private static IEnumerable<string> MetricNames(string expression)
        => MetricName().Matches(expression).Select(m => m.Value);

    [GeneratedRegex(@"\b(?:presign_gateway|dotnet|http|kestrel|aspnetcore)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
