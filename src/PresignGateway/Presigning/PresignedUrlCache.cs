using System.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Presigning;

/// <summary>
/// Presigned URLs, cached until shortly before they expire. Tier one is in-process and allocation-free on a hit
/// (<see cref="MemoryTier"/>); behind it HybridCache coalesces concurrent misses for one object into a single
/// signing and, when Redis is configured, shares each URL between replicas. An entry is never served once less than
/// the refresh margin is left: min(Gateway:Cache:RefreshBefore, 10% of the URL lifetime). Times are on the store's
/// clock (<see cref="Stores.StoreClock"/>), the clock its signatures are judged by.
/// Whoever can write to Redis can write anything there, so a value read from it is used only after it passes
/// <see cref="RejectionReason"/>: its MAC, the URL's shape and its expiry.
/// </summary>
internal sealed class PresignedUrlCache
{
    // HybridCache's own in-process tier is off: MemoryTier is that tier, keyed without building strings.
    private const HybridCacheEntryFlags SharedTierFlags = HybridCacheEntryFlags.DisableLocalCache;

    private readonly HybridCache _shared;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly MemoryTier _memory;
    // Gateway:Cache:RefreshBefore in ticks, replaced by a reload (a TimeSpan is not written atomically on every platform).
    private long _refreshBeforeTicks;
    private readonly ILogger _logger;

    public PresignedUrlCache(HybridCache shared, TimeProvider time, GatewayMetrics metrics, OptionsInForce options, ILogger<PresignedUrlCache> logger)
    {
        _logger = logger;
        _shared = shared;
        _time = time;
        _metrics = metrics;
        CacheOptions cache = options.Current.Cache;
        _memory = new MemoryTier(cache.MaxEntries, cache.MaxBytes);
        metrics.MemoryTier = _memory;
        options.Subscribe(Apply);
    }

    internal MemoryTier Memory => _memory;

    /// <summary>The refresh margin for a URL lifetime.</summary>
    public TimeSpan RefreshMargin(TimeSpan urlLifetime)
    {
        var refreshBefore = new TimeSpan(Volatile.Read(ref _refreshBeforeTicks));
        return urlLifetime / 10 < refreshBefore ? urlLifetime / 10 : refreshBefore;
    }

    /// <summary>
    /// A reload's cache settings: a new RefreshBefore applies to the URLs cached from now on (one already cached keeps
    /// the refresh time it was given, safe by the margin it was cached with), new limits resize the in-process tier.
    /// </summary>
    private void Apply(GatewayOptions options)
    {
        Volatile.Write(ref _refreshBeforeTicks, options.Cache.RefreshBefore.Ticks);
        _memory.Resize(options.Cache.MaxEntries, options.Cache.MaxBytes, _time.GetUtcNow());
    }

    /// <summary>A URL for <paramref name="target"/> with at least the refresh margin of life left, and where it came from.</summary>
    /// <param name="target">What to sign.</param>
    /// <param name="now">The request's time on our clock, read once for it.</param>
    /// <param name="cancellationToken">The request's.</param>
    public ValueTask<CacheLookup> GetAsync(in PresignTarget target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_memory.TryGet(target, target.Store.Now(now), out CachedPresignedUrl value))
        {
            _metrics.CacheHits.Add(1, Tiers.Memory);
            return ValueTask.FromResult(new CacheLookup(value, CacheTier.Memory));
        }

        return GetFromSharedTierAsync(target, now, cancellationToken);
    }

    /// <summary>Forgets a URL in both tiers, after the store refused it.</summary>
    public async ValueTask EvictAsync(PresignTarget target, CancellationToken cancellationToken)
    {
        _memory.Remove(target);
        await _shared.RemoveAsync(target.SharedCacheKey(), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CacheLookup> GetFromSharedTierAsync(PresignTarget target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Temporary keys cut the URL's life to theirs, and so the entry's (by the margin of that life): it is gone
        // before they expire. With long-term keys this is UrlLifetime and its margin.
        TimeSpan life = target.Store.UrlLifetimeFor(target.Credentials, target.Store.Now(now));
        TimeSpan margin = RefreshMargin(life);
        string key = target.SharedCacheKey();
        var miss = new MissState(this, target, key, margin, now);
        if (life <= TimeSpan.Zero)
        {
            // The keys expired since the request checked them (their refresh fails): signing throws
            // CredentialsUnavailableException, the caller's 503, unless a concurrent miss has just remembered a URL.
            // HybridCache is not asked: it would refuse an entry with no life.
            CachedPresignedUrl fresh = miss.SignAndRemember();
            return new CacheLookup(fresh, miss.Signed ? CacheTier.Signed : CacheTier.Memory);
        }

        // The margin is a tenth of a positive life at most, so the entry's life is positive too.
        var entryOptions = new HybridCacheEntryOptions { Expiration = life - margin, Flags = SharedTierFlags };
        CachedPresignedUrl value = await _shared.GetOrCreateAsync(
            key, miss, static (state, _) => ValueTask.FromResult(state.SignAndRemember()), entryOptions, cancellationToken: cancellationToken).ConfigureAwait(false);

        if (miss.Signed)
        {
            return new CacheLookup(value, CacheTier.Signed);
        }

        if (miss.FoundInMemory)
        {
            _metrics.CacheHits.Add(1, Tiers.Memory);
            return new CacheLookup(value, CacheTier.Memory);
        }

        if (value.FromSharedTier && !value.PassedSharedCheck)
        {
            string? reason = RejectionReason(value, target, key, now);
            if (!value.RecordSharedCheck(reason is null, out bool first))
            {
                // Never served and never kept: sign afresh and overwrite the entry (once per value read).
                if (first)
                {
                    Log.SharedValueRejected(_logger, target.Store.Name, reason ?? "mac");
                    _metrics.RejectedSharedValues.Add(1, new KeyValuePair<string, object?>("store", target.Store.Name), new KeyValuePair<string, object?>("reason", reason ?? "mac"));
                }

                value = miss.SignAndRemember();
                if (first)
                {
                    await _shared.SetAsync(key, value, entryOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return new CacheLookup(value, CacheTier.Signed);
            }
        }

        if (value.ExpiresAt - margin <= target.Store.Now(now))
        {
            // A shared entry can outlive its margin by the store's TTL rounding or another replica's clock: sign again.
            value = miss.SignAndRemember();
            await _shared.SetAsync(key, value, entryOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CacheLookup(value, CacheTier.Signed);
        }

        _metrics.CacheHits.Add(1, Tiers.Shared);
        _memory.Set(target, value, value.ExpiresAt - margin, target.Store.Now(now));
        return new CacheLookup(value, CacheTier.Shared);
    }

    /// <summary>
    /// Why a value read from the shared tier can't be used, or null when it can: <c>malformed</c> (not our format),
    /// <c>expiry</c> (later than a URL signed now could expire), <c>url</c> (not the scheme, host, path and query the
    /// store's presigner writes for this object) or <c>mac</c> (not written by a gateway holding this store's secret
    /// for this very entry). Cheap checks first; none of them signs.
    /// </summary>
    internal static string? RejectionReason(CachedPresignedUrl value, in PresignTarget target, string sharedCacheKey, DateTimeOffset now)
    {
        Store store = target.Store;
        if (value.Url.Length == 0 || value.Mac.Length != Store.SharedValueMacSize)
        {
            return "malformed";
        }

        if (value.ExpiresAt > store.Now(now) + store.UrlLifetime + StoreClock.Threshold || value.ExpiresAt > target.Credentials.Expiration)
        {
            return "expiry";
        }

        var request = new PresignRequest(target.Method, target.Key, store.UrlLifetime, target.SignedQuery());
        if (!PresignedUrlShape.Matches(store.Scheme, store.Location, request, target.Credentials.Credentials, value.Url, value.ExpiresAt))
        {
            return "url";
        }

        return Store.VerifySharedValueMac(target.Credentials, sharedCacheKey, value.Url, value.ExpiresAt, value.Mac) ? null : "mac";
    }

    private CachedPresignedUrl Sign(in PresignTarget target, string sharedCacheKey, DateTimeOffset now)
    {
        long started = Stopwatch.GetTimestamp();
        DateTimeOffset storeNow = target.Store.Now(now);
        TimeSpan lifetime = target.Store.UrlLifetimeFor(target.Credentials, storeNow);
        if (lifetime <= TimeSpan.Zero)
        {
            // They expired since the request checked them: a 503, as for no keys at all.
            throw new CredentialsUnavailableException(target.Store.CredentialSource.Description);
        }

        var request = new PresignRequest(target.Method, target.Key, lifetime, target.SignedQuery());
        PresignedUrl url = target.Store.Presign(request, target.Credentials, storeNow);
        var scheme = new KeyValuePair<string, object?>("scheme", target.Store.Scheme.ToString());
        _metrics.Signings.Add(1, new KeyValuePair<string, object?>("store", target.Store.Name), scheme);
        _metrics.SigningDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, scheme);
        byte[] mac = new byte[Store.SharedValueMacSize];
        Store.ComputeSharedValueMac(target.Credentials, sharedCacheKey, url.Url, url.ExpiresAt, mac);
        return new CachedPresignedUrl(url.Url, url.ExpiresAt) { Mac = mac };
    }

    /// <summary>One miss: signs at most once and puts the URL in the in-process tier before HybridCache releases the callers that waited on it.</summary>
    private sealed class MissState(PresignedUrlCache cache, PresignTarget target, string sharedCacheKey, TimeSpan margin, DateTimeOffset now)
    {
        public bool Signed { get; private set; }

        /// <summary>True when a concurrent miss had already signed and filled the in-process tier.</summary>
        public bool FoundInMemory { get; private set; }

        public CachedPresignedUrl SignAndRemember()
        {
            // HybridCache joins misses that overlap, not one that starts just after another finished: look again,
            // so a burst for one object signs once however the callers are scheduled.
            if (cache._memory.TryGet(target, target.Store.Now(now), out CachedPresignedUrl fresh))
            {
                FoundInMemory = true;
                return fresh;
            }

            cache._metrics.CacheMisses.Add(1);
            CachedPresignedUrl value = cache.Sign(target, sharedCacheKey, now);
            Signed = true;
            cache._memory.Set(target, value, value.ExpiresAt - margin, target.Store.Now(now));
            return value;
        }
    }

    private static class Tiers
    {
        public static readonly KeyValuePair<string, object?> Memory = new("tier", "memory");
        public static readonly KeyValuePair<string, object?> Shared = new("tier", "shared");
    }
}
