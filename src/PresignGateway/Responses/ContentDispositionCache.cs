using PresignGateway.Configuration;

namespace PresignGateway.Responses;

/// <summary>
/// Remembers formatted Content-Disposition values: most downloads are of a few popular names, and formatting one
/// costs several allocations. Bounded in bytes (<see cref="MaxBytes"/>, each value charged its name, its formatted
/// text and the dictionary's overhead), not in entries: a flood of 200-character CJK names costs about 4.5 KB each,
/// so 10,000 of them would hold 45 MB. Cleared when full, which a flood of new names makes frequent and cheap.
/// </summary>
internal sealed class ContentDispositionCache
{
    public const long MaxBytes = 4 * 1024 * 1024;

    // Dictionary node, the tuple key inline, a bucket slot, and two string headers.
    private const long EntryOverhead = 128;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(DispositionType Type, string FileName), string> _values = new();
    private long _bytes;

    /// <summary>The bytes charged for the values held; at most <see cref="MaxBytes"/> once an insert has settled.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    public string Format(DispositionType type, string fileName)
    {
        if (_values.TryGetValue((type, fileName), out string? value))
        {
            return value;
        }

        value = ContentDispositionFormatter.Format(type, fileName);
        long cost = EntryOverhead + (2L * (fileName.Length + value.Length));
        if (cost > MaxBytes)
        {
            return value;
        }

        if (Interlocked.Add(ref _bytes, cost) > MaxBytes)
        {
            // Full: start again. An insert racing the clear may be counted without being kept, or kept uncounted;
            // either error is one value, and the next clear resets both.
            _values.Clear();
            Volatile.Write(ref _bytes, cost);
        }

        _values.TryAdd((type, fileName), value);
        return value;
    }
}
