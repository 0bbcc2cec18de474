using System.Net.Sockets;
using System.Text;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// Sends a request line exactly as written: HttpClient and System.Uri would normalise dot segments and escapes
/// before they ever reach the gateway, which hides what hostile clients really send.
/// </summary>
internal static class RawClient
{
    public static async Task<HttpResponseMessage> SendRawAsync(Uri server, string method, string target, string? extraHeaders = null, string? body = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        NetworkStream stream = client.GetStream();
        string head = $"{method} {target} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\nConnection: close\r\n{extraHeaders}\r\n{body}";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return Parse(buffer.ToArray());
    }

    private static HttpResponseMessage Parse(byte[] raw)
    {
        int headerEnd = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        string[] lines = Encoding.Latin1.GetString(raw, 0, headerEnd).Split("\r\n");
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
        byte[] body = raw[(headerEnd + 4)..];
        var content = new ByteArrayContent(body);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string name = line[..colon];
            string value = line[(colon + 1)..].Trim();
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        response.Content = content;
        return response;
    }
}
