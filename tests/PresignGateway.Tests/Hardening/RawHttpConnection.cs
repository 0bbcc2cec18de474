using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace PresignGateway.Tests.Hardening;

/// <summary>One HTTP/1.1 response exactly as it came off the wire: header lines in order, nothing normalised.</summary>
/// <param name="Closes">True when the server said it closes the connection (or ended the body by closing it).</param>
internal sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, bool Closes)
{
    public IEnumerable<string> Values(string name)
        => Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string? Header(string name) => Values(name).FirstOrDefault();

    /// <summary>Every header line as received, for failure messages and leak checks.</summary>
    public string HeaderText => string.Join("\n", Headers.Select(h => h.Key + ": " + h.Value));
}

/// <summary>
/// A keep-alive HTTP/1.1 connection that sends requests byte for byte (HttpClient and System.Uri would normalise a
/// hostile target before it left the test) and parses the answer without any normalisation (Content-Length, chunked,
/// or read to the end), so a broken or injected header line shows up as what it is.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private const int MaxHeadBytes = 256 * 1024;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    /// <summary>False once the server closed the connection or said it would.</summary>
    public bool IsReusable { get; private set; } = true;

    public static async Task<RawHttpConnection> OpenAsync(Uri server, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> as is and reads one response. Null when the server closed or reset the
    /// connection without answering at all; an exception when it answered with something that is not HTTP/1.1.
    /// </summary>
    public async Task<RawResponse?> SendAsync(ReadOnlyMemory<byte> request, bool isHead, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            // The server may have refused the request part-way (an oversized head) and answered already: read on.
        }

        int headLength;
        while ((headLength = _buffer.AsSpan(_start, _end - _start).IndexOf(HeadEnd)) < 0)
        {
            if (_end - _start > MaxHeadBytes)
            {
                throw new InvalidDataException($"The response head is longer than {MaxHeadBytes} bytes.");
            }

            if (!await FillAsync(cancellationToken))
            {
                IsReusable = false;
                if (_end == _start)
                {
                    return null;
                }

                throw new InvalidDataException($"The connection ended inside the response head: {Escape(Encoding.Latin1.GetString(_buffer, _start, _end - _start))}");
            }
        }

        string head = Encoding.Latin1.GetString(_buffer, _start, headLength);
        _start += headLength + HeadEnd.Length;
        string[] lines = head.Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            throw new InvalidDataException($"Not an HTTP/1.1 status line: {Escape(lines[0])}");
        }

        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            // A line without a colon is kept whole as a "name": the caller's allow-list then reports it.
            headers.Add(colon < 0 ? new(line, "") : new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        bool closes = headers.Any(h => h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase)
            && h.Value.Split(',').Any(token => token.Trim().Equals("close", StringComparison.OrdinalIgnoreCase)));
        byte[] body;
        if (isHead || status is (>= 100 and < 200) or 204 or 304)
        {
            body = [];
        }
        else if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            body = await ReadChunkedAsync(cancellationToken);
        }
        else if (headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) is { Key: not null } length)
        {
            if (!int.TryParse(length.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            {
                throw new InvalidDataException($"Bad Content-Length: {Escape(length.Value)}");
            }

            body = await ReadExactlyAsync(size, cancellationToken);
        }
        else
        {
            body = await ReadToEndAsync(cancellationToken);
            closes = true;
        }

        IsReusable &= !closes;
        return new RawResponse(status, headers, body, closes);
    }

    public void Dispose() => _socket.Dispose();

    public static string Escape(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 600));
        foreach (char c in text.Length > 600 ? text[..600] : text)
        {
            builder.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return text.Length > 600 ? builder.Append("...(").Append(text.Length).Append(" chars)").ToString() : builder.ToString();
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            read = 0; // a reset is an end of the connection like any other here
        }

        _end += read;
        return read > 0;
    }

    private async Task<byte[]> ReadExactlyAsync(int size, CancellationToken cancellationToken)
    {
        while (_end - _start < size)
        {
            if (!await FillAsync(cancellationToken))
            {
                IsReusable = false;
                throw new InvalidDataException($"The connection ended after {_end - _start} of {size} body bytes.");
            }
        }

        byte[] body = _buffer.AsSpan(_start, size).ToArray();
        _start += size;
        return body;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (_end - _start > 8192 || !await FillAsync(cancellationToken))
            {
                IsReusable = false;
                throw new InvalidDataException("A chunk line is missing or too long.");
            }
        }

        string line = Encoding.Latin1.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            string sizeLine = (await ReadLineAsync(cancellationToken)).Split(';')[0].Trim();
            if (!int.TryParse(sizeLine, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
            {
                throw new InvalidDataException($"Bad chunk size line: {Escape(sizeLine)}");
            }

            if (size == 0)
            {
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                    // trailers: none expected, skipped
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, cancellationToken));
            if ((await ReadLineAsync(cancellationToken)).Length != 0)
            {
                throw new InvalidDataException("A chunk is not followed by CRLF.");
            }
        }
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
            if (_end - _start > 64 * 1024 * 1024)
            {
                throw new InvalidDataException("A body without a length is over 64 MiB.");
            }
        }

        IsReusable = false;
        byte[] body = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end;
        return body;
    }
}
