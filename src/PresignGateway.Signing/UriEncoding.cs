using System.Buffers;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Strict RFC 3986 percent-encoding with uppercase hex, written as ASCII bytes: <c>A-Z a-z 0-9 - . _ ~</c> stay,
/// every other UTF-8 byte becomes <c>%XX</c>. This is the <c>Enc</c>/<c>EncPath</c> of the signing spec; the same bytes
/// go into the canonical form and into the URL, so no later step needs to re-encode anything.
/// </summary>
internal static class UriEncoding
{
    /// <summary>The worst case: one UTF-16 unit is at most 3 UTF-8 bytes, each written as 3 characters.</summary>
    public const int MaxEncodedBytesPerChar = 9;

    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    private static readonly SearchValues<char> UnreservedOrSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/");

    private static readonly SearchValues<byte> UnreservedBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"u8);

    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    /// <summary>Encodes <paramref name="value"/> into <paramref name="destination"/>; <c>/</c> is kept when <paramref name="keepSlash"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    /// <remarks>The input must be well-formed UTF-16 (validated earlier); a lone surrogate throws.</remarks>
    public static int Encode(ReadOnlySpan<char> value, Span<byte> destination, bool keepSlash)
    {
        SearchValues<char> safe = keepSlash ? UnreservedOrSlash : Unreserved;
        Span<byte> utf8 = stackalloc byte[4];
        int written = 0;
        while (!value.IsEmpty)
        {
            int run = value.IndexOfAnyExcept(safe);
            if (run < 0)
            {
                run = value.Length;
            }

            // Safe characters are ASCII, so narrowing them is a plain copy.
            Ascii.FromUtf16(value[..run], destination[written..], out int copied);
            written += copied;
            value = value[run..];
            if (value.IsEmpty)
            {
                break;
            }

            if (Rune.DecodeFromUtf16(value, out Rune rune, out int consumed) != OperationStatus.Done)
            {
                throw new InvalidPresignRequestException("The text contains an unpaired UTF-16 surrogate and cannot be encoded as UTF-8.");
            }

            int length = rune.EncodeToUtf8(utf8);
            written += PercentEncode(utf8[..length], destination[written..]);
            value = value[consumed..];
        }

        return written;
    }

    /// <summary>Encodes ASCII or UTF-8 bytes (a Base64 signature, say); unreserved bytes are copied.</summary>
    public static int Encode(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int written = 0;
        while (!value.IsEmpty)
        {
            int run = value.IndexOfAnyExcept(UnreservedBytes);
            if (run < 0)
            {
                run = value.Length;
            }

            value[..run].CopyTo(destination[written..]);
            written += run;
            value = value[run..];
            if (value.IsEmpty)
            {
                break;
            }

            written += PercentEncode(value[..1], destination[written..]);
            value = value[1..];
        }

        return written;
    }

    private static int PercentEncode(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        int written = 0;
        foreach (byte b in bytes)
        {
            destination[written] = (byte)'%';
            destination[written + 1] = UpperHex[b >> 4];
            destination[written + 2] = UpperHex[b & 0xF];
            written += 3;
        }

        return written;
    }
}
