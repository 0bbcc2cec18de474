using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Diagnostics;

/// <summary>
/// Downloads through the real pipeline, seen by OpenTelemetry's in-memory exporters: the gateway span with its
/// attributes, the upstream span without its query, the gateway's metrics, and no secret anywhere in them.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class TelemetryTests(TestStore store)
{
    [Fact]
    public async Task Download_produces_a_span_and_metrics_with_no_secret_in_them()
    {
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Telemetry:Tracing"] = "true";
        GatewayHost gateway = await GatewayHost.StartAsync(settings, services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(activities));
            services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));
        });
        string key = $"telemetry/{Guid.NewGuid():N}/report.pdf";
        byte[] content = RandomNumberGenerator.GetBytes(4321);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), key, content);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, key), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using HttpResponseMessage health = await gateway.Client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        gateway.Services.GetRequiredService<TracerProvider>().ForceFlush();
        gateway.Services.GetRequiredService<MeterProvider>().ForceFlush();
        string[] logLines = [.. gateway.Logs.Lines];
        Uri gatewayAddress = gateway.BaseAddress;
        // Stopping the host stops its listeners, so the exported lists stop changing.
        await gateway.DisposeAsync();

        // Listeners are process-wide and other tests run in parallel: find this test's trace by its own request.
        Activity ownRequest = Assert.Single(activities, a => a.Kind == ActivityKind.Client
            && (a.GetTagItem("url.full") as string ?? "").StartsWith(gatewayAddress.AbsoluteUri + "s3/telemetry/", StringComparison.Ordinal));
        Activity download = Assert.Single(activities, a => a.OperationName == "presign_gateway.download" && a.TraceId == ownRequest.TraceId);
        Assert.Equal("proxy-S3V4", download.GetTagItem("presign_gateway.site"));
        Assert.Equal("s3", download.GetTagItem("presign_gateway.store"));
        Assert.Equal("proxy", download.GetTagItem("presign_gateway.mode"));
        Assert.Equal("miss", download.GetTagItem("presign_gateway.cache"));
        Assert.Equal(200, download.GetTagItem("presign_gateway.upstream_status"));
        Assert.Equal(4321L, download.GetTagItem("presign_gateway.bytes_sent"));
        Assert.Equal("success", download.GetTagItem("presign_gateway.outcome"));

        Activity upstream = Assert.Single(activities, a => a.Kind == ActivityKind.Client && a.ParentSpanId == download.SpanId);
        Assert.Equal(200, upstream.GetTagItem("http.response.status_code"));
        Assert.StartsWith(store.Endpoint + "/s3-bucket/telemetry/", upstream.GetTagItem("url.full") as string, StringComparison.Ordinal);
        Assert.DoesNotContain(activities, a => (a.GetTagItem("url.path") as string) == "/healthz");

        string[] metricNames = [.. metrics.Select(m => m.Name)];
        Assert.Contains("presign_gateway.requests", metricNames);
        Assert.Contains("presign_gateway.signings", metricNames);
        Assert.Contains("presign_gateway.response.bytes", metricNames);
        Assert.Contains("presign_gateway.upstream.duration", metricNames);

        string[] signatures = [.. (await store.RequestsForAsync(key)).Select(r => r.Url[(r.Url.IndexOf("X-Amz-Signature=", StringComparison.Ordinal) + 16)..])];
        string[] forbidden = [.. signatures, "X-Amz-Signature", "X-Amz-Credential", TestStore.S3AccessKeySecret, TestStore.S3AccessKeyId, "?X-Amz"];
        foreach (string text in activities.SelectMany(a => a.TagObjects.Select(t => $"{a.OperationName} {t.Key}={t.Value}")
            .Concat([a.DisplayName, a.OperationName])
            .Concat(a.Events.Select(e => e.Name))))
        {
            foreach (string marker in forbidden)
            {
                Assert.False(text.Contains(marker, StringComparison.OrdinalIgnoreCase), $"Span data contains '{marker}': {text}");
            }
        }

        foreach (Metric metric in metrics)
        {
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    string text = $"{metric.Name} {tag.Key}={tag.Value}";
                    foreach (string marker in forbidden)
                    {
                        Assert.False(text.Contains(marker, StringComparison.OrdinalIgnoreCase), $"A metric tag contains '{marker}': {text}");
                    }
                }
            }
        }

        foreach (string line in logLines)
        {
            foreach (string marker in forbidden)
            {
                Assert.False(line.Contains(marker, StringComparison.OrdinalIgnoreCase), $"A log line contains '{marker}': {line}");
            }
        }
    }

    [Fact]
    public async Task A_body_the_store_cuts_off_is_a_storage_error_not_a_success_or_a_client_abort()
    {
        var activities = new List<Activity>();
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Telemetry:Tracing"] = "true";
        GatewayHost gateway = await GatewayHost.StartAsync(settings, services =>
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(activities)));
        string key = $"telemetry/{Guid.NewGuid():N}/cut.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), key, RandomNumberGenerator.GetBytes(4 * 1024 * 1024));
        await store.AddFaultAsync(key, "abort-mid-body", times: 1);

        using (HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, key), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Assert.ThrowsAnyAsync<Exception>(async () => await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        }

        Uri gatewayAddress = gateway.BaseAddress;
        // The span ends when the handler returns, which may be just after the client saw the cut.
        var clock = Stopwatch.StartNew();
        Activity? ownRequest = null;
        Activity? download = null;
        while (download is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            gateway.Services.GetRequiredService<TracerProvider>().ForceFlush();
            lock (activities)
            {
                ownRequest = activities.SingleOrDefault(a => a.Kind == ActivityKind.Client
                    && (a.GetTagItem("url.full") as string ?? "").StartsWith(gatewayAddress.AbsoluteUri + "s3/telemetry/", StringComparison.Ordinal));
                download = ownRequest is null ? null : activities.SingleOrDefault(a => a.OperationName == "presign_gateway.download" && a.TraceId == ownRequest.TraceId);
            }

            if (download is null)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }

        await gateway.DisposeAsync();
        Assert.NotNull(download);
        Assert.Equal("storage_error", download.GetTagItem("presign_gateway.outcome"));
        Assert.Null(download.GetTagItem("presign_gateway.bytes_sent"));
    }
}
