using PresignGateway.Configuration;

namespace PresignGateway.Listing;

/// <summary>
/// Listing answers kept in process for their site's ListingCacheDuration, bounded by their own byte budget
/// (<c>Gateway:Cache:ListingMaxBytes</c>, apart from the presigned URLs' <c>MaxBytes</c>): each entry is charged what
/// it keeps alive (<see cref="ListingPage.Cost"/> plus key and bookkeeping), and an insert that would pass the budget
/// first drops expired entries, then the least recently used. So a client asking for endless distinct prefixes or
/// cursors only churns the cache. Listings are not the hot path: one lock guards it.
/// </summary>
internal sealed class ListingCache
{
    /// <summary>The dictionary entry, the list node and the entry object: what each entry costs beyond its key and value.</summary>
    internal const long EntryOverhead = 96 + 48 + 64;

    private readonly Dictionary<ListingCacheKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private long _maxBytes;
    private long _bytes;

    public ListingCache(OptionsInForce options)
    {
        _maxBytes = options.Current.Cache.ListingMaxBytes;
        options.Subscribe(inForce => Resize(inForce.Cache.ListingMaxBytes));
    }

    internal ListingCache(long maxBytes) => _maxBytes = maxBytes;

    /// <summary>Bytes charged for the entries held; never above the budget.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(in ListingCacheKey key, DateTimeOffset now, out object value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                if (node.Value.ExpiresAt > now)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    value = node.Value.Value;
                    return true;
                }

                Remove(node);
            }
        }

        value = null!;
        return false;
    }

    /// <param name="valueCost">What <paramref name="value"/> keeps alive; an answer without strings of its own costs 0.</param>
    public void Set(in ListingCacheKey key, object value, long valueCost, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (expiresAt <= now)
        {
            return;
        }

        long cost = key.Cost + valueCost + EntryOverhead;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? old))
            {
                Remove(old);
            }

            if (cost > _maxBytes)
            {
                return;
            }

            MakeRoom(cost, now);
            var node = new LinkedListNode<Entry>(new Entry(key, value, cost, expiresAt));
            _recency.AddFirst(node);
            _entries.Add(key, node);
            _bytes += cost;
        }
    }

    private void Resize(long maxBytes)
    {
        lock (_lock)
        {
            _maxBytes = maxBytes;
            MakeRoom(0, DateTimeOffset.MinValue);
        }
    }

    /// <summary>Drops the expired entries, then the least recently used, until <paramref name="cost"/> fits.</summary>
    private void MakeRoom(long cost, DateTimeOffset now)
    {
        if (_bytes + cost <= _maxBytes)
        {
            return;
        }

        for (LinkedListNode<Entry>? node = _recency.Last; node is not null && now != DateTimeOffset.MinValue;)
        {
            LinkedListNode<Entry>? previous = node.Previous;
            if (node.Value.ExpiresAt <= now)
            {
                Remove(node);
            }

            node = previous;
        }

        while (_bytes + cost > _maxBytes && _recency.Last is { } oldest)
        {
            Remove(oldest);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Cost;
    }

    private sealed record Entry(ListingCacheKey Key, object Value, long Cost, DateTimeOffset ExpiresAt);
}
