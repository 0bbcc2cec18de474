using System.Buffers.Text;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Appends ASCII/UTF-8 pieces to a caller-owned buffer. The caller sizes the buffer for the worst case up front,
/// so there are no growth checks here beyond the span's own bounds checks.
/// </summary>
internal ref struct Utf8Writer
{
    private readonly Span<byte> _buffer;

    public Utf8Writer(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly ReadOnlySpan<byte> Written => _buffer[..Position];

    /// <summary>The free part of the buffer, for a writer that fills it directly; follow with <see cref="Advance"/>.</summary>
    public readonly Span<byte> Remaining => _buffer[Position..];

    public void Advance(int count) => Position += count;

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    public void Append(byte b)
    {
        _buffer[Position] = b;
        Position++;
    }

    /// <summary>Appends ASCII text (names, ids and numbers that were validated as ASCII).</summary>
    public void AppendAscii(scoped ReadOnlySpan<char> text)
    {
        Ascii.FromUtf16(text, _buffer[Position..], out int written);
        Position += written;
    }

    /// <summary>Appends text as raw UTF-8 (the V1 canonical resource is not percent-encoded).</summary>
    public void AppendUtf8(scoped ReadOnlySpan<char> text) => Position += Encoding.UTF8.GetBytes(text, _buffer[Position..]);

    public void AppendEncoded(scoped ReadOnlySpan<char> text, bool keepSlash = false) => Position += UriEncoding.Encode(text, _buffer[Position..], keepSlash);

    public void AppendEncoded(scoped ReadOnlySpan<byte> ascii) => Position += UriEncoding.Encode(ascii, _buffer[Position..]);

    public void AppendNumber(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer[Position..], out int written);
        Position += written;
    }

    public void AppendLowerHex(scoped ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        foreach (byte b in bytes)
        {
            _buffer[Position] = hex[b >> 4];
            _buffer[Position + 1] = hex[b & 0xF];
            Position += 2;
        }
    }

    /// <summary>Appends <c>yyyyMMdd</c>, or <c>yyyyMMdd'T'HHmmss'Z'</c> when <paramref name="withTime"/>, of a UTC instant.</summary>
    public void AppendIsoBasic(DateTime utc, bool withTime)
    {
        AppendDigits(utc.Year, 4);
        AppendDigits(utc.Month, 2);
        AppendDigits(utc.Day, 2);
        if (withTime)
        {
            Append((byte)'T');
            AppendDigits(utc.Hour, 2);
            AppendDigits(utc.Minute, 2);
            AppendDigits(utc.Second, 2);
            Append((byte)'Z');
        }
    }

    private void AppendDigits(int value, int width)
    {
        for (int i = width - 1; i >= 0; i--)
        {
            _buffer[Position + i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        Position += width;
    }
}
