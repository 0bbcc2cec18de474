using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Signing;

namespace PresignGateway.Presigning;

/// <summary>
/// Presigned URLs, cached until shortly before they expire. Tier one is in-process and allocation-free on a hit
/// (<see cref="MemoryTier"/>); behind it HybridCache coalesces concurrent misses for one object into a single
/// signing and, when Redis is configured, shares the URL between replicas. An entry is never served once less than
/// the refresh margin is left: min(Gateway:Cache:RefreshBefore, 10% of the URL lifetime).
/// </summary>
internal sealed class PresignedUrlCache
{
    // HybridCache's own in-process tier is off: MemoryTier is that tier, keyed without building strings.
    private static readonly HybridCacheEntryFlags SharedTierFlags = HybridCacheEntryFlags.DisableLocalCache;

    private readonly HybridCache _shared;
    private readonly UrlSigner _signer;
    private readonly TimeProvider _time;
    private readonly MemoryTier _memory;
    private readonly TimeSpan _refreshBefore;

    public PresignedUrlCache(HybridCache shared, UrlSigner signer, TimeProvider time, IOptions<GatewayOptions> options)
    {
        _shared = shared;
        _signer = signer;
        _time = time;
        _memory = new MemoryTier(options.Value.Cache.MaxEntries);
        _refreshBefore = options.Value.Cache.RefreshBefore;
    }

    internal MemoryTier Memory => _memory;

    /// <summary>The refresh margin for a URL lifetime.</summary>
    public TimeSpan RefreshMargin(TimeSpan urlLifetime) => urlLifetime / 10 < _refreshBefore ? urlLifetime / 10 : _refreshBefore;

    /// <summary>A URL for <paramref name="target"/> with at least the refresh margin of life left.</summary>
    public ValueTask<CachedPresignedUrl> GetAsync(in PresignTarget target, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return _memory.TryGet(target, now, out CachedPresignedUrl value)
            ? ValueTask.FromResult(value)
            : GetFromSharedTierAsync(target, cancellationToken);
    }

    /// <summary>Forgets a URL in both tiers, after the store refused it.</summary>
    public async ValueTask EvictAsync(PresignTarget target, CancellationToken cancellationToken)
    {
        _memory.Remove(target);
        await _shared.RemoveAsync(target.SharedCacheKey(), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CachedPresignedUrl> GetFromSharedTierAsync(PresignTarget target, CancellationToken cancellationToken)
    {
        TimeSpan margin = RefreshMargin(target.Store.UrlLifetime);
        var entryOptions = new HybridCacheEntryOptions
        {
            Expiration = target.Store.UrlLifetime - margin,
            Flags = SharedTierFlags,
        };
        string key = target.SharedCacheKey();
        CachedPresignedUrl value = await _shared.GetOrCreateAsync(
            key,
            (Signer: _signer, Target: target),
            static (state, _) => ValueTask.FromResult(state.Signer.Sign(state.Target)),
            entryOptions,
            cancellationToken: cancellationToken).ConfigureAwait(false);

        DateTimeOffset now = _time.GetUtcNow();
        if (value.ExpiresAt - margin <= now)
        {
            // A shared entry can outlive its margin by the store's TTL rounding or another replica's clock: re-sign.
            value = _signer.Sign(target);
            await _shared.SetAsync(key, value, entryOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        _memory.Set(target, value, value.ExpiresAt - margin, now);
        return value;
    }
}

/// <summary>Signs a target with its store's presigner at the current time.</summary>
internal sealed class UrlSigner(TimeProvider time)
{
    public CachedPresignedUrl Sign(in PresignTarget target)
    {
        var request = new PresignRequest(target.Method, target.Key, target.Store.UrlLifetime, target.SignedQuery());
        PresignedUrl url = target.Store.Presigner.Presign(target.Store.Location, request, target.Store.Credentials, time.GetUtcNow());
        return new CachedPresignedUrl(url.Url, url.ExpiresAt);
    }
}
