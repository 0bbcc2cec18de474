using System.Collections.Concurrent;

namespace PresignGateway.Presigning;

/// <summary>
/// The in-process tier: a dictionary keyed by the <see cref="PresignTarget"/> struct, so a hit builds no key string
/// and allocates nothing. It is bounded: past <c>MaxEntries</c> one caller sweeps out expired entries and, if that is
/// not enough, drops an arbitrary tenth, so a crawl over millions of objects keeps memory flat.
/// </summary>
internal sealed class MemoryTier
{
    private readonly ConcurrentDictionary<PresignTarget, Entry> _entries = new();
    private readonly int _maxEntries;
    private int _count;
    private int _sweeping;

    public MemoryTier(int maxEntries) => _maxEntries = maxEntries;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The entry if present and not due for refresh at <paramref name="now"/>.</summary>
    public bool TryGet(in PresignTarget target, DateTimeOffset now, out CachedPresignedUrl value)
    {
        if (_entries.TryGetValue(target, out Entry? entry) && now < entry.RefreshAt)
        {
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    public void Set(in PresignTarget target, CachedPresignedUrl value, DateTimeOffset refreshAt, DateTimeOffset now)
    {
        var entry = new Entry(value, refreshAt);
        bool added = true;
        _entries.AddOrUpdate(target, entry, (_, _) =>
        {
            added = false;
            return entry;
        });
        if (added && Interlocked.Increment(ref _count) > _maxEntries)
        {
            Sweep(now);
        }
    }

    public void Remove(in PresignTarget target)
    {
        if (_entries.TryRemove(target, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            int target = _maxEntries - Math.Max(1, _maxEntries / 10);
            foreach (KeyValuePair<PresignTarget, Entry> pair in _entries)
            {
                if (pair.Value.RefreshAt <= now)
                {
                    Remove(pair.Key);
                }
            }

            foreach (KeyValuePair<PresignTarget, Entry> pair in _entries)
            {
                if (Count <= target)
                {
                    break;
                }

                Remove(pair.Key);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed record Entry(CachedPresignedUrl Value, DateTimeOffset RefreshAt);
}
