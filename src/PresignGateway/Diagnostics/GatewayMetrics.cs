using System.Diagnostics.Metrics;

namespace PresignGateway.Diagnostics;

/// <summary>
/// The gateway's own instruments, from <see cref="IMeterFactory"/>. Tags carry names (site, store, tier, scheme) and
/// outcomes, never keys, URLs or credentials. It knows none of the parts it measures: they hand it their gauges'
/// sources (<see cref="MemoryTier"/>, <see cref="RedisConnected"/>, <see cref="StoreClockOffsets"/>).
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "PresignGateway";

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        // The durations are in seconds; OTel's default buckets are made for milliseconds (every sample would land in
        // le="5"). These are the boundaries ASP.NET Core's own request-duration histogram advises.
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] };
        CacheHits = meter.CreateCounter<long>("presign_gateway.cache.hits", "{hit}", "Presigned URLs served from a cache tier (tag tier: memory or shared).");
        CacheMisses = meter.CreateCounter<long>("presign_gateway.cache.misses", "{miss}", "Lookups that found no usable URL in any tier.");
        Signings = meter.CreateCounter<long>("presign_gateway.signings", "{signing}", "URLs presigned by this process.");
        SigningDuration = meter.CreateHistogram("presign_gateway.signing.duration", "s", "Time to presign one URL.", tags: null, advice: seconds);
        RejectedSharedValues = meter.CreateCounter<long>(
            "presign_gateway.cache.rejected_shared_values", "{value}", "Values read from the shared tier (Redis) that failed a check and were replaced by a fresh signature (tags store, reason: mac, url, expiry, malformed).");
        RedisErrors = meter.CreateCounter<long>("presign_gateway.redis.errors", "{error}", "Failed or timed-out Redis operations (downloads went on by signing locally).");
        RejectedUrls = meter.CreateCounter<long>("presign_gateway.storage.rejected_urls", "{url}", "Cached URLs the store refused; evicted and signed again.");
        Requests = meter.CreateCounter<long>("presign_gateway.requests", "{request}", "Download requests by site, mode and outcome.");
        ResponseBytes = meter.CreateCounter<long>("presign_gateway.response.bytes", "By", "Body bytes of completed proxied downloads (their Content-Length).");
        UpstreamDuration = meter.CreateHistogram("presign_gateway.upstream.duration", "s", "Time from sending a request to the store to its response headers.", tags: null, advice: seconds);
        CredentialRefreshes = meter.CreateCounter<long>("presign_gateway.credentials.refreshes", "{refresh}", "Fetches of temporary credentials (instance metadata, STS) by store and outcome: success or failure.");
        meter.CreateObservableGauge("presign_gateway.credentials.expires_in", CredentialExpiries, "s", "Seconds until the temporary credentials in force expire, per store (stores with long-term keys report none).");
        meter.CreateObservableGauge("presign_gateway.storage.clock_offset", ClockOffsets, "s", "The store's clock minus ours, as read from its Date header; applied when over the threshold.");
        meter.CreateObservableGauge("presign_gateway.cache.memory.bytes", () => MemoryTier?.Bytes ?? 0, "By", "Bytes charged to the in-process URL tier (at most Gateway:Cache:MaxBytes).");
        meter.CreateObservableGauge("presign_gateway.cache.memory.entries", () => MemoryTier?.Count ?? 0, "{entry}", "URLs held in the in-process tier (at most Gateway:Cache:MaxEntries).");
        meter.CreateObservableGauge("presign_gateway.redis.connected", () => RedisConnected?.Invoke() switch { true => 1, false => 0, null => -1 }, "{state}", "1 when Redis is connected, 0 when configured but down (degraded), -1 when not configured.");
    }

    public Counter<long> CacheHits { get; }

    public Counter<long> CacheMisses { get; }

    public Counter<long> Signings { get; }

    public Histogram<double> SigningDuration { get; }

    public Counter<long> RejectedSharedValues { get; }

    public Counter<long> RedisErrors { get; }

    public Counter<long> RejectedUrls { get; }

    public Counter<long> Requests { get; }

    public Counter<long> ResponseBytes { get; }

    public Histogram<double> UpstreamDuration { get; }

    public Counter<long> CredentialRefreshes { get; }

    /// <summary>Set by the URL cache: the in-process tier whose size the gauges report.</summary>
    public IMeasuredTier? MemoryTier { get; set; }

    /// <summary>Set by the Redis connection when Redis is configured.</summary>
    public Func<bool>? RedisConnected { get; set; }

    /// <summary>Set by the composition root: each store's name and clock offset, from the configuration in force.</summary>
    public Func<IEnumerable<(string Store, TimeSpan Offset)>>? StoreClockOffsets { get; set; }

    /// <summary>Set by the composition root: each store with temporary credentials and the time they have left.</summary>
    public Func<IEnumerable<(string Store, TimeSpan ExpiresIn)>>? CredentialLifetimes { get; set; }

    private IEnumerable<Measurement<double>> CredentialExpiries()
    {
        foreach ((string store, TimeSpan expiresIn) in CredentialLifetimes?.Invoke() ?? [])
        {
            yield return new Measurement<double>(Math.Round(expiresIn.TotalSeconds), new KeyValuePair<string, object?>("store", store));
        }
    }

    private IEnumerable<Measurement<double>> ClockOffsets()
    {
        foreach ((string store, TimeSpan offset) in StoreClockOffsets?.Invoke() ?? [])
        {
            yield return new Measurement<double>(offset.TotalSeconds, new KeyValuePair<string, object?>("store", store));
        }
    }
}
