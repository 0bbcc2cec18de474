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
        // Look before resolving: without a local answer the lookup itself would be a DNS query leaving the machine.
        if (HostsLineProblem() is string problem)
        {
            throw new InvalidOperationException(Advice(hostName, problem));
        }

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

    /// <summary>
    /// Why glibc would ask DNS for a <c>*.localhost</c> name, or null: the hosts line of /etc/nsswitch.conf must name
    /// <c>myhostname</c> (or systemd's <c>resolve</c>, which answers them locally too) before <c>dns</c>.
    /// </summary>
    private static string? HostsLineProblem()
    {
        const string NsSwitch = "/etc/nsswitch.conf";
        if (!OperatingSystem.IsLinux() || !File.Exists(NsSwitch))
        {
            return null;
        }

        foreach (string line in File.ReadLines(NsSwitch))
        {
            string trimmed = line.Trim();
            if (!trimmed.StartsWith("hosts:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (string source in trimmed["hosts:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (source is "myhostname" or "resolve")
                {
                    return null;
                }

                if (source == "dns")
                {
                    break;
                }
            }

            return $"would be looked up in DNS ({NsSwitch}: '{trimmed}')";
        }

        return $"would be looked up in DNS ({NsSwitch} has no hosts line)";
    }

    private static string Advice(string hostName, string problem)
        => $"{hostName} {problem}. The virtual-hosted tests need *.localhost names on loopback: run tests/setup.sh, which installs "
           + "libnss-myhostname (Debian/Ubuntu), and check that the hosts line of /etc/nsswitch.conf names 'myhostname' before 'dns'.";
}
