using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Diagnostics;

/// <summary>The latency histograms record seconds, so their buckets are second boundaries, as Prometheus scrapes them.</summary>
public sealed partial class LatencyHistogramTests(TestStore store)
{
    private static readonly string[] SecondBoundaries = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1", "2.5", "5", "7.5", "10", "+Inf"];

    [Theory]
    [InlineData("presign_gateway_signing_duration_seconds")]
    [InlineData("presign_gateway_upstream_duration_seconds")]
    public async Task Histogram_has_second_buckets_and_its_samples_fall_below_one_second(string histogram)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Telemetry:PrometheusEndpoint"] = "true";
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        string key = $"histogram/{Guid.NewGuid():N}.txt";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, "x"u8.ToArray());
        using HttpResponseMessage download = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, key), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using HttpClient metrics = GatewayHost.CreateClient(gateway.MetricsAddress);

        string text = await metrics.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        // One series (there is one store and one outcome so far): its boundaries, in order.
        Match[] buckets = [.. BucketLine().Matches(text).Where(line => line.Groups["name"].Value == histogram)];
        string firstSeries = buckets[0].Groups["labels"].Value;
        Match[] series = [.. buckets.Where(line => line.Groups["labels"].Value == firstSeries)];
        Assert.Equal(SecondBoundaries, series.Select(line => line.Groups["le"].Value));
        // The one local download took well under a second: its sample is counted in le="1", not only in a top bucket.
        double underOneSecond = double.Parse(series.Single(line => line.Groups["le"].Value == "1").Groups["count"].Value, CultureInfo.InvariantCulture);
        Assert.True(underOneSecond >= 1, $"no sample under 1 s in {histogram}:\n{string.Join('\n', series.Select(line => line.Value))}");
    }

    // presign_gateway_signing_duration_seconds_bucket{otel_scope_name="PresignGateway",scheme="OssV4",le="0.005"} 1 1700000000000
    [GeneratedRegex("""^(?<name>[a-z_]+)_bucket\{(?<labels>.*?),?le="(?<le>[^"]+)"\} (?<count>[0-9.e+]+)""", RegexOptions.Multiline)]
    private static partial Regex BucketLine();
}
