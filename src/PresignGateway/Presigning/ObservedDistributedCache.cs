using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using PresignGateway.Diagnostics;

namespace PresignGateway.Presigning;

/// <summary>
/// Wraps the Redis cache to count its failures. HybridCache already survives them (it logs and signs locally); this
/// only makes a degraded shared tier visible in the metrics. It forwards the buffer API that HybridCache prefers.
/// </summary>
internal sealed class ObservedDistributedCache(IBufferDistributedCache inner, GatewayMetrics metrics) : IBufferDistributedCache
{
    private static readonly KeyValuePair<string, object?> Read = new("operation", "read");
    private static readonly KeyValuePair<string, object?> Write = new("operation", "write");
    private static readonly KeyValuePair<string, object?> Remove = new("operation", "remove");

    public byte[]? Get(string key) => Observe(() => inner.Get(key), Read);

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        => await ObserveAsync(() => inner.GetAsync(key, token), Read).ConfigureAwait(false);

    public bool TryGet(string key, IBufferWriter<byte> destination) => Observe(() => inner.TryGet(key, destination), Read);

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
        => await ObserveAsync(() => inner.TryGetAsync(key, destination, token).AsTask(), Read).ConfigureAwait(false);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Observe(() => { inner.Set(key, value, options); return true; }, Write);

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => Observe(() => { inner.Set(key, value, options); return true; }, Write);

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => await ObserveAsync(async () => { await inner.SetAsync(key, value, options, token).ConfigureAwait(false); return true; }, Write).ConfigureAwait(false);

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => await ObserveAsync(async () => { await inner.SetAsync(key, value, options, token).ConfigureAwait(false); return true; }, Write).ConfigureAwait(false);

    public void Refresh(string key) => Observe(() => { inner.Refresh(key); return true; }, Read);

    public async Task RefreshAsync(string key, CancellationToken token = default)
        => await ObserveAsync(async () => { await inner.RefreshAsync(key, token).ConfigureAwait(false); return true; }, Read).ConfigureAwait(false);

    void IDistributedCache.Remove(string key) => Observe(() => { inner.Remove(key); return true; }, Remove);

    public async Task RemoveAsync(string key, CancellationToken token = default)
        => await ObserveAsync(async () => { await inner.RemoveAsync(key, token).ConfigureAwait(false); return true; }, Remove).ConfigureAwait(false);

    private T Observe<T>(Func<T> operation, KeyValuePair<string, object?> kind)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.RedisErrors.Add(1, kind);
            throw;
        }
    }

    private async Task<T> ObserveAsync<T>(Func<Task<T>> operation, KeyValuePair<string, object?> kind)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.RedisErrors.Add(1, kind);
            throw;
        }
    }
}
