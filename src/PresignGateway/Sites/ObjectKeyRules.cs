using System.Text;

namespace PresignGateway.Sites;

/// <summary>The object-key rules the gateway applies before it signs anything.</summary>
internal static class ObjectKeyRules
{
    public const int MaxKeyBytes = 1023;

    /// <summary>Null when <paramref name="key"/> may be requested, else why not (a short message for a 400).</summary>
    public static string? Check(string key)
    {
        if (key.Length == 0)
        {
            return "The path names no object.";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"The object key is longer than {MaxKeyBytes} bytes.";
        }

        ReadOnlySpan<char> span = key;
        if (span.IndexOfAnyInRange('\0', '\u001f') >= 0 || span.IndexOfAnyInRange('\u007f', '\u009f') >= 0)
        {
            return "The object key contains a control character.";
        }

        // '.' and '..' segments would be rewritten by URL canonicalisation somewhere between here and the store,
        // so a signed URL for them could name another object. Object stores allow them; public links don't need them.
        foreach (Range segment in span.Split('/'))
        {
            if (span[segment] is "." or "..")
            {
                return "The path has a '.' or '..' segment.";
            }
        }

        return null;
    }
}
