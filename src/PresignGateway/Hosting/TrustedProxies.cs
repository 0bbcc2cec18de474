using System.Net;
using PresignGateway.Configuration;

namespace PresignGateway.Hosting;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are honoured only from the proxies and networks listed in
/// <c>Gateway:ForwardedHeaders:KnownProxies</c> (addresses) and <c>KnownNetworks</c> (CIDR); with none listed the
/// headers are ignored, so a client can't claim another address.
/// </summary>
internal sealed record TrustedProxies(IReadOnlyList<IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> Networks, int ForwardLimit)
{
    public static TrustedProxies Read(IConfigurationSection section, List<string> problems)
    {
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (IConfigurationSection entry in section.GetSection("KnownProxies").GetChildren())
        {
            if (IPAddress.TryParse(entry.Value, out IPAddress? address))
            {
                proxies.Add(address);
            }
            else
            {
                problems.Add($"{entry.Path} is '{entry.Value}': give an IPv4 or IPv6 address, such as 10.0.0.5 (a range goes in KnownNetworks).");
            }
        }

        foreach (IConfigurationSection entry in section.GetSection("KnownNetworks").GetChildren())
        {
            if (System.Net.IPNetwork.TryParse(entry.Value, out System.Net.IPNetwork network))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add($"{entry.Path} is '{entry.Value}': give a network in CIDR notation, such as 10.0.0.0/8, with no bits set after the prefix.");
            }
        }

        int forwardLimit = SettingReader.Get(section, "ForwardLimit", 1, problems);
        if (forwardLimit < 1)
        {
            problems.Add($"{section.Path}:ForwardLimit is {forwardLimit}: it must be at least 1.");
        }

        return new TrustedProxies(proxies, networks, forwardLimit);
    }
}
