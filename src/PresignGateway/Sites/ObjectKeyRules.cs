using PresignGateway.Signing;

namespace PresignGateway.Sites;

/// <summary>The object-key rules the gateway applies before it signs anything: the signer's (<see cref="TextRules"/>), and no dot segments.</summary>
internal static class ObjectKeyRules
{
    /// <summary>Null when <paramref name="key"/> may be requested, else why not (a short message for a 400).</summary>
    public static string? Check(string key)
    {
        if (key.Length == 0)
        {
            return "The path names no object.";
        }

        if (TextRules.IsKeyTooLong(key))
        {
            return $"The object key is longer than {TextRules.MaxKeyBytes} bytes.";
        }

        ReadOnlySpan<char> span = key;
        if (TextRules.HasControlCharacter(span))
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
