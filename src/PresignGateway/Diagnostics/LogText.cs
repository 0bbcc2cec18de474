using System.Buffers;
using System.Globalization;

namespace PresignGateway.Diagnostics;

/// <summary>
/// Client-controlled text (a host, a decoded path) made safe for a log line: the JSON console escapes it, but the
/// simple console writes it as it is, so a path with <c>%0d%0a</c> would start a forged line and an ESC would drive
/// the operator's terminal. Control characters (C0, DEL, C1), the Unicode line and paragraph separators and the
/// bidirectional overrides become <c>\uXXXX</c>; any other text comes back as the same string, unallocated.
/// </summary>
internal static class LogText
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F"
        + "\u2028\u2029\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\\");

    /// <summary>The text with every unsafe character (and the backslash, so an escape can't be forged) written as <c>\uXXXX</c>.</summary>
    public static string Clean(string text)
    {
        int first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return text;
        }

        var cleaned = new System.Text.StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (char c in text.AsSpan(first))
        {
            if (Unsafe.Contains(c))
            {
                cleaned.Append(c == '\\' ? @"\\" : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
            }
            else
            {
                cleaned.Append(c);
            }
        }

        return cleaned.ToString();
    }
}
