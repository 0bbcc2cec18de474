using System.Collections.Concurrent;
using PresignGateway.Diagnostics;

namespace PresignGateway.Presigning;

/// <summary>
/// The in-process tier: a dictionary keyed by the <see cref="PresignTarget"/> struct, so a hit builds no key string
/// and allocates nothing. It is bounded twice: by <c>MaxBytes</c>, each entry charged what it keeps alive
/// (<see cref="Cost"/>), and by <c>MaxEntries</c>. Room is reserved before an entry goes in, so the accounted bytes
/// never exceed the limit, not even for a moment; when there is no room, one caller evicts the least recently used
/// entries (expired ones first) down to 90% of both limits, and a caller that still finds no room simply does not
/// cache (the URL is served all the same).
/// </summary>
/// <remarks>
/// Recency is a logical clock that every insert advances; a hit copies it into the entry, and only when it changed, so
/// a steady stream of hits writes nothing shared. Eviction reads the stamps in three passes over the entries (drop the
/// expired, a 256-bucket histogram of bytes by stamp, drop every entry older than the cut-off bucket): no sort, no
/// list to keep in order on each hit, and each pass frees at least a tenth of the tier, so its cost per insert is a
/// few dozen entry visits (CacheBenchmarks). The cut-off is exact to within one bucket of the clock's range.
/// </remarks>
internal sealed class MemoryTier : IMeasuredTier
{
    /// <summary>Eviction frees down to this share of both limits, so it runs once per tenth of the tier, not per insert.</summary>
    private const int LowWaterPercent = 90;

    private const int HistogramBuckets = 256;

    private readonly ConcurrentDictionary<PresignTarget, Entry> _entries = new();
    // Changed by a reload (Resize); read with Volatile, a stale read only delays the resize by one insert.
    private int _maxEntries;
    private long _maxBytes;
    // Only the caller holding _evicting uses these.
    private readonly long[] _bucketBytes = new long[HistogramBuckets];
    private readonly int[] _bucketCounts = new int[HistogramBuckets];
    private int _count;
    private long _bytes;
    private long _clock;
    private int _evicting;

    public MemoryTier(int maxEntries, long maxBytes)
    {
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
    }

    /// <summary>Entries held (and being added).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Bytes charged for the entries held (and being added); never above <c>MaxBytes</c>.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    public long MaxBytes => Volatile.Read(ref _maxBytes);

    /// <summary>
    /// New limits, from a reload. A tier above them evicts down to 90% of them at once (expired entries, then the
    /// least recently used); should another caller be evicting just then, the next insert that finds no room does.
    /// </summary>
    public void Resize(int maxEntries, long maxBytes, DateTimeOffset now)
    {
        Volatile.Write(ref _maxEntries, maxEntries);
        Volatile.Write(ref _maxBytes, maxBytes);
        if (Count > maxEntries || Bytes > maxBytes)
        {
            Evict(now, 0);
        }
    }

    /// <summary>The entry if present and not due for refresh at <paramref name="now"/>.</summary>
    public bool TryGet(in PresignTarget target, DateTimeOffset now, out CachedPresignedUrl value)
    {
        if (_entries.TryGetValue(target, out Entry? entry) && now.UtcTicks < entry.RefreshAtTicks)
        {
            long clock = Volatile.Read(ref _clock);
            if (entry.LastUsed != clock)
            {
                // A plain store: racing hits write the same or a newer stamp, and a lost update only ages an entry a little.
                entry.LastUsed = clock;
            }

            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    public void Set(in PresignTarget target, CachedPresignedUrl value, DateTimeOffset refreshAt, DateTimeOffset now)
    {
        long cost = Cost(target, value);
        if (cost > MaxBytes)
        {
            return;
        }

        if (!TryReserve(cost))
        {
            Evict(now, cost);
            if (!TryReserve(cost))
            {
                return;
            }
        }

        var entry = new Entry(value, refreshAt.UtcTicks, cost, Interlocked.Increment(ref _clock));
        while (true)
        {
            if (_entries.TryAdd(target, entry))
            {
                return;
            }

            if (_entries.TryGetValue(target, out Entry? old) && _entries.TryUpdate(target, entry, old))
            {
                Release(old);
                return;
            }
        }
    }

    public void Remove(in PresignTarget target)
    {
        if (_entries.TryRemove(target, out Entry? old))
        {
            Release(old);
        }
    }

    /// <summary>
    /// What an entry keeps alive on 64-bit .NET: the key's strings, the URL, the parsed <see cref="Uri"/> when the
    /// URL will be forwarded, and the fixed objects (the dictionary node with the key inline, a bucket slot with room
    /// for the table's doubling, the entry, the cached value). Strings may be shared with a request in flight; they
    /// are charged in full all the same.
    /// </summary>
    internal static long Cost(in PresignTarget target, CachedPresignedUrl value)
    {
        long strings = StringCost(target.Key) + StringCost(target.VersionId) + StringCost(target.ContentDisposition)
            + StringCost(target.ImageProcess) + StringCost(value.Url);
        // Proxy mode signs no Content-Disposition (it sets the header itself) and forwards the URL through a Uri that
        // CachedPresignedUrl parses once and keeps; redirect mode always signs the name and never parses the URL.
        long uri = target.ContentDisposition is null ? UriCost(value.Url) : 0;
        return FixedCost + strings + uri;
    }

    /// <summary>
    /// A <see cref="Uri"/> built from <paramref name="url"/> with canonicalisation off, after SocketsHttpHandler has
    /// used it: it keeps its own copy of a URL with escapes other than %2F and %25 (an escaped CJK name), caches
    /// PathAndQuery (a second copy), and holds its UriInfo and parts. Measured with GC.GetAllocatedBytesForCurrentThread
    /// (MemoryTierTests, URLs of 200 to 9,000 characters): 2 × the string plus at most about 600 bytes. A URL that the
    /// Uri shares rather than copies is over-charged by one copy, which errs on the safe side.
    /// </summary>
    internal static long UriCost(string url) => 2 * StringCost(url) + 640;

    /// <summary>A string on 64-bit .NET: header and method table (16), length (4), UTF-16 chars and a terminator, rounded to 8.</summary>
    internal static long StringCost(string? s) => s is null ? 0 : (22 + 2L * s.Length + 7) & ~7L;

    // Node 96 (header 16, the PresignTarget key 56, value and next 16, hash 4, padding), bucket slot 16 (8, doubled
    // for growth), Entry 48, CachedPresignedUrl 56 (header 16, URL 8, expiry 16, Uri 8, and a field to spare), and 48
    // for what the dictionary re-allocates as it fills (node copies, lock striping): MemoryTierTests checks the sum
    // against the bytes an entry allocates.
    internal const long FixedCost = 96 + 16 + 48 + 56 + 48;

    private bool TryReserve(long cost)
    {
        int count;
        do
        {
            count = Volatile.Read(ref _count);
            if (count >= Volatile.Read(ref _maxEntries))
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _count, count + 1, count) != count);

        long bytes;
        do
        {
            bytes = Volatile.Read(ref _bytes);
            if (bytes + cost > MaxBytes)
            {
                Interlocked.Decrement(ref _count);
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _bytes, bytes + cost, bytes) != bytes);

        return true;
    }

    private void Release(Entry entry)
    {
        Interlocked.Add(ref _bytes, -entry.Cost);
        Interlocked.Decrement(ref _count);
    }

    private bool RemoveExact(KeyValuePair<PresignTarget, Entry> pair)
    {
        // Only if the entry is still the one seen: a concurrent Set may have replaced it with a fresh one.
        if (_entries.TryRemove(pair))
        {
            Release(pair.Value);
            return true;
        }

        return false;
    }

    /// <summary>Frees down to the low-water mark (and room for <paramref name="needed"/>): expired entries, then the least recently used.</summary>
    private void Evict(DateTimeOffset now, long needed)
    {
        if (Interlocked.Exchange(ref _evicting, 1) == 1)
        {
            return;
        }

        try
        {
            long maxBytes = MaxBytes;
            int maxEntries = Volatile.Read(ref _maxEntries);
            long lowBytes = Math.Min(maxBytes / 100 * LowWaterPercent, maxBytes - needed);
            int lowCount = Math.Min((int)((long)maxEntries * LowWaterPercent / 100), maxEntries - 1);
            long nowTicks = now.UtcTicks;
            long oldest = long.MaxValue;
            foreach (KeyValuePair<PresignTarget, Entry> pair in _entries)
            {
                if (pair.Value.RefreshAtTicks <= nowTicks)
                {
                    RemoveExact(pair);
                }
                else
                {
                    oldest = Math.Min(oldest, pair.Value.LastUsed);
                }
            }

            long excessBytes = Bytes - lowBytes;
            long excessCount = Count - lowCount;
            if ((excessBytes <= 0 && excessCount <= 0) || oldest == long.MaxValue)
            {
                return;
            }

            // Stamps from oldest to now, in equal buckets; an entry stamped after this read is never a candidate.
            long newest = Volatile.Read(ref _clock);
            long width = Math.Max(1, (newest - oldest + HistogramBuckets) / HistogramBuckets);
            Array.Clear(_bucketBytes);
            Array.Clear(_bucketCounts);
            foreach (KeyValuePair<PresignTarget, Entry> pair in _entries)
            {
                long bucket = (pair.Value.LastUsed - oldest) / width;
                if ((ulong)bucket < HistogramBuckets)
                {
                    _bucketBytes[bucket] += pair.Value.Cost;
                    _bucketCounts[bucket]++;
                }
            }

            int cutoff = 0;
            long freedBytes = _bucketBytes[0];
            long freedCount = _bucketCounts[0];
            while (cutoff < HistogramBuckets - 1 && (freedBytes < excessBytes || freedCount < excessCount))
            {
                cutoff++;
                freedBytes += _bucketBytes[cutoff];
                freedCount += _bucketCounts[cutoff];
            }

            long cutoffStamp = oldest + ((cutoff + 1) * width) - 1;
            foreach (KeyValuePair<PresignTarget, Entry> pair in _entries)
            {
                if (pair.Value.LastUsed <= cutoffStamp)
                {
                    RemoveExact(pair);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    /// <summary>Reference equality on purpose: eviction removes an entry only if it is still the very one it looked at.</summary>
    private sealed class Entry(CachedPresignedUrl value, long refreshAtTicks, long cost, long lastUsed)
    {
        public CachedPresignedUrl Value { get; } = value;

        public long RefreshAtTicks { get; } = refreshAtTicks;

        public long Cost { get; } = cost;

        /// <summary>The logical clock at the last insert or hit.</summary>
        public long LastUsed { get; set; } = lastUsed;
    }
}
