using System.Net;
using System.Net.Sockets;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// Checks that a <c>*.localhost</c> name resolves to loopback only, before a test sends anything to it. The gateway
/// resolves store hosts with getaddrinfo, so these names follow /etc/nsswitch.conf: libnss-myhostname (installed by
/// tests/setup.sh) answers every <c>*.localhost</c> name with 127.0.0.1 and ::1 itself (RFC 6761), and no DNS query
/// leaves the machine. Without it glibc would ask the DNS resolver, and the name would fail or point elsewhere.
/// </summary>
internal static class LoopbackNames
{
    public static async Task EnsureLoopbackAsync(string hostName, CancellationToken cancellationToken = default)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(hostName, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(Advice(hostName, $"does not resolve ({e.Message})"), e);
        }

        if (addresses.Length == 0 || !addresses.All(IPAddress.IsLoopback))
        {
            throw new InvalidOperationException(Advice(hostName, $"resolves to {string.Join(", ", (object[])addresses)}, not to loopback only"));
        }
    }

    private static string Advice(string hostName, string problem)
        => $"{hostName} {problem}. The virtual-hosted tests need *.localhost names on loopback: run tests/setup.sh, which installs "
           + "libnss-myhostname (Debian/Ubuntu), and check that the hosts line of /etc/nsswitch.conf names 'myhostname' before 'dns'.";
}
