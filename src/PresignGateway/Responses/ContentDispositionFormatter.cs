using System.Text;
using Microsoft.Net.Http.Headers;
using PresignGateway.Configuration;

namespace PresignGateway.Responses;

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
