using System.Text;
using Microsoft.Net.Http.Headers;
using PresignGateway.Configuration;

namespace PresignGateway.Responses;

/// <summary>
/// The name a download is saved under. The documented rule for a requested name (<c>?filename=</c>, an alias):
/// only the part after the last '/' or '\' is kept; control characters, line and paragraph separators, bidi
/// controls, zero-width characters and unpaired surrogates are removed; white space at either end is trimmed; a name longer than
/// 200 characters is shortened, keeping its extension; what remains empty, "." or ".." is refused.
/// </summary>
internal static class DownloadFileName
{
    public const int MaxLength = 200;
    private const int MaxExtensionLength = 16;

    /// <summary>The cleaned name, or null when nothing usable is left.</summary>
    public static string? Clean(string requested)
    {
        ReadOnlySpan<char> name = requested;
        int lastSeparator = name.LastIndexOfAny('/', '\\');
        if (lastSeparator >= 0)
        {
            name = name[(lastSeparator + 1)..];
        }

        if (name.Length <= MaxLength && IsAlreadyClean(name))
        {
            // The common case (a plain key or name): one string, or none when the name is the whole input.
            return name.IsEmpty || name is "." or ".." ? null : name.Length == requested.Length ? requested : name.ToString();
        }

        var builder = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                builder.Append(c).Append(name[++i]);
            }
            else if (!IsRemoved(c))
            {
                builder.Append(c);
            }
        }

        string cleaned = builder.ToString().Trim();
        if (cleaned.Length > MaxLength)
        {
            cleaned = Shorten(cleaned);
        }

        return cleaned is "" or "." or ".." ? null : cleaned;
    }

    /// <summary>The name for an object requested without one: its key's last segment, or "download" for a folder-like key.</summary>
    public static string FromKey(string key) => Clean(key) ?? "download";

    /// <summary>True when the rule would change nothing: no character to remove and no white space to trim.</summary>
    private static bool IsAlreadyClean(ReadOnlySpan<char> name)
    {
        if (!name.IsEmpty && (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1])))
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (IsRemoved(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsRemoved(char c) => char.IsControl(c) || char.IsSurrogate(c) || c switch
    {
        '\u2028' or '\u2029' => true, // line and paragraph separators
        '\u061C' or '\u200E' or '\u200F' => true, // bidi marks
        >= '\u202A' and <= '\u202E' => true, // bidi embeddings and overrides
        >= '\u2066' and <= '\u2069' => true, // bidi isolates
        '\uFEFF' => true, // byte order mark
        >= '\u200B' and <= '\u200D' or '\u2060' => true, // zero-width space, non-joiner, joiner; word joiner
        _ => false,
    };

    private static string Shorten(string name)
    {
        int dot = name.LastIndexOf('.');
        string extension = dot > 0 && name.Length - dot <= MaxExtensionLength ? name[dot..] : "";
        int stemLength = MaxLength - extension.Length;
        if (char.IsHighSurrogate(name[stemLength - 1]))
        {
            stemLength--; // never split a surrogate pair
        }

        return string.Concat(name.AsSpan(0, stemLength).TrimEnd(), extension);
    }
}

/// <summary>
/// Formats Content-Disposition per RFC 6266: an ASCII <c>filename</c> fallback (quoted, with quotes and backslashes
/// escaped) and an RFC 5987 <c>filename*=UTF-8''...</c> with the real name. One formatter serves proxy mode (our
/// response header) and redirect mode (signed into the URL as response-content-disposition).
/// </summary>
internal static class ContentDispositionFormatter
{
    public static string Format(DispositionType type, string fileName)
    {
        var header = new ContentDispositionHeaderValue(type == DispositionType.Inline ? "inline" : "attachment")
        {
            // Typed setters quote and escape; SetHttpFileName is not used because it takes a name that starts and
            // ends with '"' for an already quoted string and drops those quotes.
            FileName = AsciiFallback(fileName),
            FileNameStar = fileName,
        };
        return header.ToString();
    }

    /// <summary>
    /// The name for clients that ignore <c>filename*</c>: non-ASCII and control characters become '_', and so does
    /// anything that a parser would take for something other than a plain name (a leading and trailing '"', or an
    /// RFC 2047 encoded word such as <c>=?utf-8?B?...?=</c> anywhere in the name, which some parsers decode).
    /// </summary>
    private static string AsciiFallback(string fileName)
    {
        var fallback = new StringBuilder(fileName.Length);
        foreach (Rune rune in fileName.EnumerateRunes())
        {
            fallback.Append(rune.Value is >= 0x20 and < 0x7F ? (char)rune.Value : '_');
        }

        if (fallback.Length >= 2 && fallback[0] == '"' && fallback[^1] == '"')
        {
            fallback[0] = '_';
        }

        // An encoded word may sit anywhere in the name ("x=?utf-8?B?...?=", "=?...?=.txt"): break every "=?" that a
        // "?=" follows, which is what a decoder needs to find one.
        int close = LastIndexOf(fallback, '?', '=');
        for (int i = 0; i + 1 < close; i++)
        {
            if (fallback[i] == '=' && fallback[i + 1] == '?')
            {
                fallback[i] = '_';
            }
        }

        return fallback.ToString();
    }

    private static int LastIndexOf(StringBuilder text, char first, char second)
    {
        for (int i = text.Length - 2; i >= 0; i--)
        {
            if (text[i] == first && text[i + 1] == second)
            {
                return i;
            }
        }

        return -1;
    }
}

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
