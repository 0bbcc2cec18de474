using System.Text;

namespace PresignGateway.Sites;

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
