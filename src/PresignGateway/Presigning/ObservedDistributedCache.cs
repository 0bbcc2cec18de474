using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using PresignGateway.Diagnostics;

namespace PresignGateway.Presigning;

/// <summary>
/// Wraps the Redis cache to count its failures. HybridCache already survives them (it signs locally); this makes a
/// degraded shared tier visible in the metrics and tells <see cref="RedisOutageLog"/> when Redis stops and starts
/// answering. It forwards the buffer API that HybridCache prefers.
/// </summary>
internal sealed class ObservedDistributedCache(IBufferDistributedCache inner, GatewayMetrics metrics, RedisOutageLog outages) : IBufferDistributedCache
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

    // HybridCache catches a failed read or write but passes a failed removal on, which would fail the download that
    // evicts (a 404's, or a refused URL's before signing again). A removal is best effort: while Redis is down nobody
    // reads the entry, and a replica that later reads a refused URL evicts it itself.
    void IDistributedCache.Remove(string key)
    {
        int epoch = outages.Epoch;
        try
        {
            inner.Remove(key);
            outages.Succeeded(epoch);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(e, Remove);
        }
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        int epoch = outages.Epoch;
        try
        {
            await inner.RemoveAsync(key, token).ConfigureAwait(false);
            outages.Succeeded(epoch);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(e, Remove);
        }
    }

    private T Observe<T>(Func<T> operation, KeyValuePair<string, object?> kind)
    {
        int epoch = outages.Epoch;
        try
        {
            T result = operation();
            outages.Succeeded(epoch);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(e, kind);
            throw;
        }
    }

    private async Task<T> ObserveAsync<T>(Func<Task<T>> operation, KeyValuePair<string, object?> kind)
    {
        int epoch = outages.Epoch;
        try
        {
            T result = await operation().ConfigureAwait(false);
            outages.Succeeded(epoch);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(e, kind);
            throw;
        }
    }

    private void Failed(Exception e, KeyValuePair<string, object?> kind)
    {
        metrics.RedisErrors.Add(1, kind);
        outages.Failed((string)kind.Value!, e);
    }
}
