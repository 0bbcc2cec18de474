using System.Globalization;
using System.Text;

namespace PresignGateway.Listing;

/// <summary>The small text pieces of a listing: HTML escaping, percent-encoding of links, sizes and dates.</summary>
internal static class ListingText
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Escapes the five characters that mean something in HTML text and attribute values; the rest is UTF-8 as it is.</summary>
    public static StringBuilder AppendHtml(this StringBuilder text, string value)
    {
        int start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            string? entity = value[i] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            };
            if (entity is not null)
            {
                text.Append(value, start, i - start).Append(entity);
                start = i + 1;
            }
        }

        return text.Append(value, start, value.Length - start);
    }

    /// <summary>
    /// Percent-encodes the UTF-8 of <paramref name="value"/>, leaving RFC 3986's unreserved characters and, when
    /// <paramref name="keepSlash"/>, '/': a name can't become a scheme (<c>javascript:</c>), a query, a fragment or another path.
    /// </summary>
    public static StringBuilder AppendPercentEncoded(this StringBuilder text, string value, bool keepSlash)
    {
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                text.Append(c);
                continue;
            }

            int length;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), bytes);
                i++;
            }
            else
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), bytes);
            }

            foreach (byte b in bytes[..length])
            {
                text.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return text;
    }

    /// <summary>1023 B, 1.5 KiB, 12.0 MiB: binary units, one decimal.</summary>
    public static string HumanSize(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>ISO 8601, UTC, to the second: 2026-12-03T12:00:00Z.</summary>
    public static string IsoDate(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
