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
        Span<char> text = stackalloc char[32];
        return text[..FormatHumanSize(bytes, text)].ToString();
    }

    /// <summary><see cref="HumanSize"/> into <paramref name="destination"/> (32 characters are enough); the length written.</summary>
    public static int FormatHumanSize(long bytes, Span<char> destination)
    {
        int written;
        if (bytes < 1024)
        {
            bytes.TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            " B".CopyTo(destination[written..]);
            return written + 2;
        }

        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        value.TryFormat(destination, out written, "0.0", CultureInfo.InvariantCulture);
        destination[written++] = ' ';
        Units[unit].CopyTo(destination[written..]);
        return written + Units[unit].Length;
    }

    /// <summary>ISO 8601, UTC, to the second: 2026-12-03T12:00:00Z.</summary>
    public static string IsoDate(DateTimeOffset date) => date.UtcDateTime.ToString(IsoFormat, CultureInfo.InvariantCulture);

    /// <summary><see cref="IsoDate"/> into <paramref name="destination"/> (20 characters); the length written.</summary>
    public static int FormatIsoDate(DateTimeOffset date, Span<char> destination)
    {
        date.UtcDateTime.TryFormat(destination, out int written, IsoFormat, CultureInfo.InvariantCulture);
        return written;
    }

    private const string IsoFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";
}
