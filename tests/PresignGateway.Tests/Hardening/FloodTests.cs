using System.Diagnostics;
using System.Globalization;
using System.Net;
using PresignGateway.Tests.Hosting;
using PresignGateway.Tests.Infrastructure;
using PresignGateway.Tests.Presigning;

namespace PresignGateway.Tests.Hardening;

/// <summary>
/// One anonymous client asks for 50,000 made-up objects with long CJK names, as the built gateway runs in production:
/// a separate process under the deploy/kubernetes heap limit (512 MiB). Before the tier was bounded in bytes this
/// took the gateway down with OutOfMemoryException within seconds. Runs alone: it loads both cores.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class FloodTests(TestStore store, ITestOutputHelper output)
{
    private const int Keys = 50_000;
    private const int Connections = 8;
    private const long MaxBytes = 16L * 1024 * 1024;

    /// <summary>
    /// The after-GC heap's median may rise this much from the first half of the flood to the second. Bounded, the
    /// tier is 16 MiB and the file-name cache 4 MiB; what the server GC has not collected yet saws up and down by
    /// 100 MiB and more between samples, so single samples (the maximum) are no measure. Unbounded, the median moves
    /// with the entries held: 25,000 more entries of 12.5 to 30 KB would add 300 to 750 MB, which the 512 MiB limit
    /// never reaches.
    /// </summary>
    private const long HeapGrowthMargin = 64L * 1024 * 1024;

    [Theory]
    [InlineData("Proxy")]
    [InlineData("Redirect")]
    public async Task A_flood_of_long_hostile_names_keeps_the_tier_within_its_bytes_and_the_heap_flat(string mode)
    {
        int port = GatewayProcessTests.FreePort();
        int metricsPort = GatewayProcessTests.FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_GCHeapHardLimit"] = "0x20000000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Gateway__Telemetry__PrometheusEndpoint"] = "true",
            ["Gateway__Telemetry__MetricsUrl"] = $"http://127.0.0.1:{metricsPort}",
            ["Gateway__Cache__MaxBytes"] = MaxBytes.ToString(CultureInfo.InvariantCulture),
            ["Gateway__Stores__flood__Provider"] = "S3V4",
            ["Gateway__Stores__flood__Endpoint"] = store.Endpoint,
            ["Gateway__Stores__flood__Region"] = "us-east-1",
            ["Gateway__Stores__flood__Bucket"] = TestSites.Bucket(StoreKind.S3V4),
            ["Gateway__Stores__flood__Addressing"] = "Path",
            ["Gateway__Stores__flood__AccessKeyId"] = TestStore.S3AccessKeyId,
            ["Gateway__Stores__flood__AccessKeySecret"] = TestStore.S3AccessKeySecret,
            ["Gateway__Sites__flood__Hosts__0"] = "127.0.0.1",
            ["Gateway__Sites__flood__Store"] = "flood",
            ["Gateway__Sites__flood__Mode"] = mode,
            ["Gateway__Sites__flood__AllowedQuery__0"] = "filename",
        };

        using Process gateway = GatewayProcessTests.StartGateway(port, environment);
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        gateway.ErrorDataReceived += (_, e) => { if (e.Data is { } line && stderr.Count < 200) stderr.Enqueue(line); };
        try
        {
            using HttpClient client = GatewayHost.CreateClient(new Uri($"http://127.0.0.1:{port}"));
            using HttpClient metricsClient = GatewayHost.CreateClient(new Uri($"http://127.0.0.1:{metricsPort}"));
            await GatewayProcessTests.WaitUntilHealthyAsync(client);
            string prefix = $"flood/{Guid.NewGuid():N}/";
            int expectedStatus = mode == "Proxy" ? 404 : 302;

            int next = -1, unexpected = 0, firstUnexpected = 0;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            async Task Worker()
            {
                while (!deadline.IsCancellationRequested && gateway is { HasExited: false })
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= Keys)
                    {
                        return;
                    }

                    // A 320-character CJK path and a 200-character CJK ?filename=: about 4.7 KB of request line.
                    string path = "/" + prefix + Uri.EscapeDataString(MemoryTierTests.HostileName(i, 320))
                        + "?filename=" + Uri.EscapeDataString(MemoryTierTests.HostileName(i, 200) + ".txt");
                    int status;
                    try
                    {
                        using HttpResponseMessage response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                        status = (int)response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        status = -1;
                    }

                    if (status != expectedStatus && Interlocked.Increment(ref unexpected) == 1)
                    {
                        firstUnexpected = status;
                    }
                }
            }

            var samples = new List<(int Sent, long TierBytes, long HeapBytes)>();
            Task[] workers = Enumerable.Range(0, Connections).Select(_ => Task.Run(Worker)).ToArray();
            Task flood = Task.WhenAll(workers);
            var started = Stopwatch.StartNew();
            while (!flood.IsCompleted && !gateway.HasExited)
            {
                if (await ScrapeAsync(metricsClient) is { } metrics)
                {
                    samples.Add((Math.Min(Volatile.Read(ref next), Keys), Gauge(metrics, "presign_gateway_cache_memory_bytes"), Gauge(metrics, "dotnet_gc_last_collection_heap_size_bytes")));
                }

                await Task.WhenAny(flood, Task.Delay(250, TestContext.Current.CancellationToken));
            }

            // The workers stop at the deadline or when the process is gone; a request then in flight fails fast.
            await Task.WhenAny(flood, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            int sent = Math.Min(Volatile.Read(ref next), Keys);
            output.WriteLine($"{mode}: {sent} requests in {started.Elapsed.TotalSeconds:F1} s; {samples.Count} samples; tier max {samples.Select(s => s.TierBytes).DefaultIfEmpty().Max()} B");
            foreach ((int s, long tier, long heap) in samples.Where((_, i) => i % 8 == 0))
            {
                output.WriteLine($"  sent {s,6}  tier {tier / 1024,7} KiB  heap after GC {heap / (1024 * 1024),4} MiB");
            }

            Assert.False(gateway.HasExited, $"The gateway died (exit code {(gateway.HasExited ? gateway.ExitCode : 0)}) after about {sent} requests: {string.Join('\n', stderr.Take(20))}");
            Assert.False(deadline.IsCancellationRequested, $"The flood did not finish within 90 s: {sent} requests sent.");
            Assert.Equal(Keys, sent);
            Assert.True(unexpected == 0, $"{unexpected} requests did not get {expectedStatus}; the first got {firstUnexpected}.");
            using (HttpResponseMessage health = await client.GetAsync("/healthz", TestContext.Current.CancellationToken))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }

            // The bound holds at every sample, and the tier was full enough for eviction to run many times over.
            Assert.True(samples.Count >= 10, $"only {samples.Count} samples");
            Assert.All(samples, s => Assert.InRange(s.TierBytes, 0, MaxBytes));
            if (mode == "Redirect")
            {
                Assert.True(samples.Max(s => s.TierBytes) > MaxBytes / 2, "the tier never filled: eviction was not exercised");
            }

            // Proxy mode keeps no URL the store answered 404 for: only requests in flight are held.
            if (mode == "Proxy")
            {
                Assert.True(samples.Max(s => s.TierBytes) < MaxBytes / 8, "URLs of objects that do not exist were kept");
            }

            long firstHalf = Median(samples.Where(s => s.Sent <= Keys / 2).Select(s => s.HeapBytes));
            long secondHalf = Median(samples.Where(s => s.Sent > Keys / 2).Select(s => s.HeapBytes));
            Assert.True(
                secondHalf <= firstHalf + HeapGrowthMargin,
                $"The heap after GC kept growing: a median of {firstHalf / (1024 * 1024)} MiB in the first half of the flood, {secondHalf / (1024 * 1024)} MiB in the second.");
        }
        finally
        {
            if (!gateway.HasExited)
            {
                gateway.Kill(entireProcessTree: true);
            }

            await gateway.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The gateway's Prometheus text from its metrics listener (Gateway:Telemetry:MetricsUrl), or null when it did
    /// not answer.
    /// </summary>
    private static async Task<string?> ScrapeAsync(HttpClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await client.GetStringAsync("/metrics", timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static long Median(IEnumerable<long> values)
    {
        long[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    /// <summary>The sum of every series of a gauge (the heap size comes per generation).</summary>
    private static long Gauge(string metrics, string name)
    {
        double sum = 0;
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return (long)sum;
    }
}
