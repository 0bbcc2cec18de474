using System.Text;

namespace PresignGateway.Signing;

/// <summary>Text rules that the signer and the gateway in front of it share, stated once.</summary>
public static class TextRules
{
    /// <summary>OSS and S3 both cap object keys at 1,023 bytes of UTF-8.</summary>
    public const int MaxKeyBytes = 1023;

    /// <summary>True when <paramref name="key"/> has more than <see cref="MaxKeyBytes"/> bytes of UTF-8.</summary>
    public static bool IsKeyTooLong(string key)
        // A UTF-16 unit is at most 3 UTF-8 bytes, so short keys skip the byte count. GetByteCount counts a lone
        // surrogate as the 3-byte replacement character, so it never undercounts.
        => key.Length > MaxKeyBytes || (key.Length > MaxKeyBytes / 3 && Encoding.UTF8.GetByteCount(key) > MaxKeyBytes);

    /// <summary>
    /// True when <paramref name="text"/> has a C0 control, DEL or a C1 control: in a key, a header or a signed value
    /// they break or inject lines downstream. Vectorised; most text has none.
    /// </summary>
    public static bool HasControlCharacter(ReadOnlySpan<char> text)
        => text.IndexOfAnyInRange('\0', '\u001f') >= 0 || text.IndexOfAnyInRange('\u007f', '\u009f') >= 0;
}
