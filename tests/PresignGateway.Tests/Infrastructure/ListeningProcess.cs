using System.Diagnostics;
using System.Net.Sockets;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>Waits for a server process the tests started (nginx, varnishd) to accept connections on its loopback port.</summary>
internal static class ListeningProcess
{
    /// <summary>True once 127.0.0.1:<paramref name="port"/> accepts a connection; false if the process exits first.</summary>
    public static async Task<bool> WaitUntilListeningAsync(Process process, int port, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, deadline.Token);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        return false;
    }
}
