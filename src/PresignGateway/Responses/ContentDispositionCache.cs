using PresignGateway.Configuration;

namespace PresignGateway.Responses;

/// <summary>
/// Remembers formatted Content-Disposition values: most downloads are of a few popular names, and formatting one
/// costs several allocations. Bounded; cleared when full.
/// </summary>
internal sealed class ContentDispositionCache
{
    private const int MaxEntries = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(DispositionType Type, string FileName), string> _values = new();

    public string Format(DispositionType type, string fileName)
    {
        if (_values.TryGetValue((type, fileName), out string? value))
        {
            return value;
        }

        value = ContentDispositionFormatter.Format(type, fileName);
        if (_values.Count >= MaxEntries)
        {
            _values.Clear();
        }

        _values.TryAdd((type, fileName), value);
        return value;
    }
}
