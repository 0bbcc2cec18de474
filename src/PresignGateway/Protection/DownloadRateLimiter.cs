using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Sites;

namespace PresignGateway.Protection;

/// <summary>
/// Token buckets from System.Threading.RateLimiting (what ASP.NET Core's rate limiter is built on): one per client
/// address across all sites (<c>Gateway:ClientRateLimit</c>) and one per site (<c>Sites:x:Protection:RateLimit</c>).
/// The client address is the connection's, or X-Forwarded-For's from a trusted proxy only. Idle buckets are dropped.
/// </summary>
internal sealed class DownloadRateLimiter : IDisposable
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<IPAddress>? _perClient;
    private readonly PartitionedRateLimiter<Site> _perSite;

    public DownloadRateLimiter(IOptions<GatewayOptions> options)
    {
        if (options.Value.ClientRateLimit is { PermitsPerSecond: > 0 } client)
        {
            TokenBucketRateLimiterOptions bucket = Bucket(client);
            _perClient = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => bucket));
        }

        _perSite = PartitionedRateLimiter.Create<Site, Site>(site => site.RateLimit is { } limit
            ? RateLimitPartition.GetTokenBucketLimiter(site, _ => Bucket(limit))
            : RateLimitPartition.GetNoLimiter(site));
    }

    /// <summary>True when the request may go on; otherwise how long the client should wait.</summary>
    public bool TryAcquire(HttpContext context, Site site, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_perClient is not null)
        {
            IPAddress address = context.Connection.RemoteIpAddress ?? IPAddress.None;
            using RateLimitLease client = _perClient.AttemptAcquire(address);
            if (!client.IsAcquired)
            {
                retryAfter = client.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : DefaultRetryAfter;
                return false;
            }
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
        _perClient?.Dispose();
        _perSite.Dispose();
    }

    private static TokenBucketRateLimiterOptions Bucket(RateLimitOptions limit) => new()
    {
        TokenLimit = limit.Burst > 0 ? limit.Burst : limit.PermitsPerSecond,
        TokensPerPeriod = limit.PermitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
