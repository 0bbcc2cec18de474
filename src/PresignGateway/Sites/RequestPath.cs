using System.Text;

namespace PresignGateway.Sites;

/// <summary>
/// Decodes the path of the raw request target exactly once. Kestrel's <c>Request.Path</c> is already decoded (all but
/// <c>%2F</c>) and has its dot segments removed, so decoding it again would decode twice and hide <c>..</c>: the raw
/// target is the honest source.
/// </summary>
internal static class RequestPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The path part of an origin-form (<c>/a?b</c>) or absolute-form (<c>http://h/a?b</c>) target.</summary>
    public static ReadOnlySpan<char> PathOf(string rawTarget)
    {
        ReadOnlySpan<char> target = rawTarget;
        if (!target.StartsWith('/'))
        {
            int scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme < 0)
            {
                return [];
            }

            // The authority ends at the first '/', '?' or '#': a '/' inside the query is not the path.
            ReadOnlySpan<char> afterScheme = target[(scheme + 3)..];
            int authorityEnd = afterScheme.IndexOfAny('/', '?', '#');
            target = authorityEnd < 0 || afterScheme[authorityEnd] != '/' ? "/" : afterScheme[authorityEnd..];
        }

        int end = target.IndexOfAny('?', '#');
        return end < 0 ? target : target[..end];
    }

    /// <summary>Percent-decodes once into UTF-8 text; false when an escape is malformed or the bytes are not UTF-8.</summary>
    public static bool TryDecode(ReadOnlySpan<char> path, out string decoded, out string? error)
    {
        if (!path.Contains('%'))
        {
            decoded = path.ToString();
            error = null;
            return true;
        }

        // Literal characters keep their UTF-8 bytes; each %XX adds one byte; then the whole is decoded strictly.
        byte[] bytes = new byte[Encoding.UTF8.GetMaxByteCount(path.Length)];
        int length = 0;
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '%')
            {
                if (i + 2 >= path.Length || !char.IsAsciiHexDigit(path[i + 1]) || !char.IsAsciiHexDigit(path[i + 2]))
                {
                    decoded = "";
                    error = "The path has a '%' that is not followed by two hex digits.";
                    return false;
                }

                bytes[length++] = (byte)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[length++] = (byte)c;
            }
            else
            {
                int runEnd = path[i..].IndexOf('%');
                ReadOnlySpan<char> run = runEnd < 0 ? path[i..] : path.Slice(i, runEnd);
                length += Encoding.UTF8.GetBytes(run, bytes.AsSpan(length));
                i += run.Length - 1;
            }
        }

        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, length);
            error = null;
            return true;
        }
        catch (DecoderFallbackException)
        {
            decoded = "";
            error = "The path does not decode to valid UTF-8.";
            return false;
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
