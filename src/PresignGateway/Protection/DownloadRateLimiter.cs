using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using PresignGateway.Configuration;
using PresignGateway.Sites;

namespace PresignGateway.Protection;

/// <summary>
/// Token buckets from System.Threading.RateLimiting (what ASP.NET Core's rate limiter is built on): one per client
/// across all sites (<c>Gateway:ClientRateLimit</c>) and one per site (<c>Sites:x:Protection:RateLimit</c>).
/// The client address is the connection's, or X-Forwarded-For's from a trusted proxy only. A client is an IPv4
/// address (also when written IPv4-mapped) or an IPv6 network of <c>IPv6PrefixLength</c> bits: one subscriber
/// usually holds a whole /64 and could otherwise take a fresh bucket with every address. Idle buckets are dropped.
/// A reload that changes <c>Gateway:ClientRateLimit</c> replaces the client buckets (each client starts with a full
/// one under the new limit); a reload that leaves it alone keeps them. Site limits come with the site table.
/// </summary>
internal sealed class DownloadRateLimiter : IDisposable
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    private readonly OptionsInForce _options;
    private readonly PartitionedRateLimiter<Site> _perSite;
    private volatile PartitionedRateLimiter<IPAddress>? _perClient;
    // The limit _perClient enforces; only Apply (one at a time, see OptionsInForce) reads and writes it.
    private ClientRateLimitOptions? _clientLimit;

    public DownloadRateLimiter(OptionsInForce options)
    {
        _perSite = PartitionedRateLimiter.Create<Site, Site>(site => site.RateLimit is { } limit
            ? RateLimitPartition.GetTokenBucketLimiter(site, _ => Bucket(limit))
            : RateLimitPartition.GetNoLimiter(site));
        _options = options;
        options.Subscribe(Apply);
    }

    /// <summary>True when the request may go on; otherwise how long the client should wait.</summary>
    public bool TryAcquire(HttpContext context, Site site, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!TryAcquireForClient(context, ref retryAfter))
        {
            return false;
        }

        if (site.RateLimit is null)
        {
            return true;
        }

        using RateLimitLease lease = _perSite.AttemptAcquire(site);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan siteWait) ? siteWait : DefaultRetryAfter;
        return false;
    }

    public void Dispose()
    {
        _options.Unsubscribe(Apply);
        _perClient?.Dispose();
        _perSite.Dispose();
    }

    private bool TryAcquireForClient(HttpContext context, ref TimeSpan retryAfter)
    {
        while (_perClient is { } perClient)
        {
            IPAddress address = context.Connection.RemoteIpAddress ?? IPAddress.None;
            RateLimitLease client;
            try
            {
                client = perClient.AttemptAcquire(address);
            }
            catch (ObjectDisposedException) when (perClient != _perClient)
            {
                // A reload replaced the limiter between the read and the call: ask the new one.
                continue;
            }

            using (client)
            {
                if (!client.IsAcquired)
                {
                    retryAfter = client.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : DefaultRetryAfter;
                    return false;
                }
            }

            return true;
        }

        return true;
    }

    /// <summary>Builds the client limiter for a changed <c>Gateway:ClientRateLimit</c> (or drops it), and disposes the one it replaces.</summary>
    private void Apply(GatewayOptions options)
    {
        ClientRateLimitOptions? limit = SettingChanges.ActiveClientLimit(options);
        if (limit is null ? _clientLimit is null : _clientLimit is not null && Same(limit, _clientLimit))
        {
            return;
        }

        PartitionedRateLimiter<IPAddress>? old = _perClient;
        _perClient = limit is null ? null : CreatePerClient(limit);
        _clientLimit = limit;
        old?.Dispose();

        static bool Same(ClientRateLimitOptions a, ClientRateLimitOptions b)
            => a.PermitsPerSecond == b.PermitsPerSecond && a.Burst == b.Burst && a.IPv6PrefixLength == b.IPv6PrefixLength;
    }

    private static PartitionedRateLimiter<IPAddress> CreatePerClient(ClientRateLimitOptions client)
    {
        // The partitioned limiter replenishes every bucket from its one timer, so the buckets need none of their own.
        TokenBucketRateLimiterOptions bucket = Bucket(client, autoReplenishment: false);
        Func<UInt128, RateLimiter> create = _ => new TokenBucketRateLimiter(bucket);
        // UInt128 shift counts wrap at 128, so a /128 (every address its own bucket) is spelled out.
        UInt128 ipv6Mask = client.IPv6PrefixLength >= 128 ? UInt128.MaxValue : ~(UInt128.MaxValue >> client.IPv6PrefixLength);
        // A value-type key and a factory made once: choosing the bucket allocates nothing per request.
        return PartitionedRateLimiter.Create<IPAddress, UInt128>(address => new RateLimitPartition<UInt128>(ClientKey(address, ipv6Mask), create));
    }

    /// <summary>
    /// The client's bucket key: an IPv4 address as its IPv4-mapped IPv6 form (so both spellings of one address
    /// agree), an IPv4-mapped address whole, any other IPv6 address cut to its network (the scope id is ignored).
    /// </summary>
    internal static UInt128 ClientKey(IPAddress address, UInt128 ipv6Mask)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes[..10].Clear();
            bytes[10] = 0xFF;
            bytes[11] = 0xFF;
            address.TryWriteBytes(bytes[12..], out _);
            return BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        UInt128 value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return address.IsIPv4MappedToIPv6 ? value : value & ipv6Mask;
    }

    private static TokenBucketRateLimiterOptions Bucket(RateLimitOptions limit, bool autoReplenishment = true) => new()
    {
        TokenLimit = limit.Burst > 0 ? limit.Burst : limit.PermitsPerSecond,
        TokensPerPeriod = limit.PermitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = autoReplenishment,
    };
}
