using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using PresignGateway.Configuration;
using PresignGateway.Protection;
using PresignGateway.Sites;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Protection;

/// <summary>
/// The per-client limit groups IPv6 clients by network (a /64 by default: one subscriber usually holds a whole /64
/// and can pick any address in it) and IPv4 clients, also when written IPv4-mapped, by address.
/// </summary>
public sealed class DownloadRateLimiterTests
{
    private const int Burst = 3;

    public static TheoryData<string, string, int?, bool> Pairs() => new()
    {
        // first client, second client, IPv6PrefixLength (null: the default), whether they share one bucket
        { "2001:db8:1:2::1", "2001:db8:1:2::2", null, true },
        { "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", null, true },
        { "2001:db8:1:2::1", "2001:db8:1:3::1", null, false },
        { "2001:db8:1:2::1", "2001:db9:1:2::1", null, false },
        { "fe80::1%1", "fe80::2%2", null, true },
        { "2001:db8:1:2::1", "2001:db8:1:2::2", 128, false },
        { "2001:db8:1:2::1", "2001:db8:1:2::1", 128, true },
        { "2001:db8:1:2::1", "2001:db8:1:3::1", 48, true },
        { "2001:db8:1:2::1", "2001:db8:2:2::1", 48, false },
        { "2001:db8:1:2::1", "2001:db8:1:2:8000::1", 65, false },
        { "2001:db8:1:2::1", "2001:db8:1:2:7fff::1", 65, true },
        { "2001:db8::1", "2001:db9::1", 32, false },
        { "203.0.113.7", "203.0.113.8", null, false },
        { "203.0.113.7", "203.0.113.7", null, true },
        { "203.0.113.7", "::ffff:203.0.113.7", null, true },
        { "::ffff:203.0.113.7", "::ffff:203.0.113.8", null, false },
        { "::ffff:203.0.113.7", "::ffff:203.0.113.8", 32, false },
        { "203.0.113.7", "2001:db8::1", null, false },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Clients_share_a_bucket_exactly_when_they_are_in_the_same_group(string first, string second, int? prefixLength, bool shared)
    {
        using DownloadRateLimiter limiter = CreateLimiter(prefixLength, out Site site);

        for (int i = 0; i < Burst; i++)
        {
            Assert.True(limiter.TryAcquire(Request(first), site, out _), $"request {i + 1} of the burst from {first}");
        }

        bool secondServed = limiter.TryAcquire(Request(second), site, out TimeSpan retryAfter);

        Assert.Equal(!shared, secondServed);
        Assert.Equal(shared, retryAfter > TimeSpan.Zero);
    }

    [Fact]
    public void A_missing_remote_address_is_one_client()
    {
        using DownloadRateLimiter limiter = CreateLimiter(null, out Site site);
        for (int i = 0; i < Burst; i++)
        {
            Assert.True(limiter.TryAcquire(new DefaultHttpContext(), site, out _));
        }

        Assert.False(limiter.TryAcquire(new DefaultHttpContext(), site, out _));
        Assert.True(limiter.TryAcquire(Request("2001:db8::1"), site, out _));
    }

    [Theory]
    [InlineData("2001:db8:1:2::1")]
    [InlineData("203.0.113.7")]
    [InlineData("::ffff:203.0.113.7")]
    public void Choosing_a_clients_bucket_allocates_nothing_beyond_what_the_rate_limiter_itself_does(string address)
    {
        using DownloadRateLimiter limiter = CreateLimiter(null, out Site site);
        DefaultHttpContext request = Request(address);
        Assert.True(limiter.TryAcquire(request, site, out _)); // creates the bucket

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool served = limiter.TryAcquire(request, site, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(served);
        Assert.Equal(LibraryBaseline(), allocated);
    }

    /// <summary>What one granted request costs in System.Threading.RateLimiting with a fixed key of the same type and a fixed factory.</summary>
    private static long LibraryBaseline()
    {
        var options = new TokenBucketRateLimiterOptions { TokenLimit = Burst, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1), AutoReplenishment = false };
        Func<UInt128, RateLimiter> create = _ => new TokenBucketRateLimiter(options);
        using PartitionedRateLimiter<int> limiter = PartitionedRateLimiter.Create<int, UInt128>(_ => new RateLimitPartition<UInt128>(UInt128.One, create));
        limiter.AttemptAcquire(0).Dispose();

        long before = GC.GetAllocatedBytesForCurrentThread();
        using RateLimitLease lease = limiter.AttemptAcquire(0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(lease.IsAcquired);
        return allocated;
    }

    [Theory]
    [InlineData("31")]
    [InlineData("129")]
    [InlineData("0")]
    [InlineData("-64")]
    public void An_ipv6_prefix_length_outside_32_to_128_is_refused_at_start_up(string value)
    {
        Dictionary<string, string?> settings = Settings(null);
        settings["Gateway:ClientRateLimit:IPv6PrefixLength"] = value;

        IReadOnlyList<string> errors = GatewaySettings.Errors(settings);

        string error = Assert.Single(errors);
        Assert.Contains("Gateway:ClientRateLimit:IPv6PrefixLength", error, StringComparison.Ordinal);
        Assert.Contains("32", error, StringComparison.Ordinal);
        Assert.Contains("128", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_prefix_length_defaults_to_64()
    {
        GatewayOptions options = GatewaySettings.Bind(GatewaySettings.Configuration(Settings(null)));

        Assert.Equal(64, options.ClientRateLimit!.IPv6PrefixLength);
    }

    private static DownloadRateLimiter CreateLimiter(int? prefixLength, out Site site)
    {
        Dictionary<string, string?> settings = Settings(prefixLength);
        site = GatewaySettings.Build(settings).Sites.Single();
        return new DownloadRateLimiter(new OptionsInForce(Microsoft.Extensions.Options.Options.Create(GatewaySettings.Bind(GatewaySettings.Configuration(settings)))));
    }

    private static Dictionary<string, string?> Settings(int? prefixLength)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        GatewaySettings.AddSite(settings, "downloads", "/", "main", "downloads.example.com");
        // One permit a second and a burst of three: a test runs in far less than the second a refill takes.
        settings["Gateway:ClientRateLimit:PermitsPerSecond"] = "1";
        settings["Gateway:ClientRateLimit:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (prefixLength is { } length)
        {
            settings["Gateway:ClientRateLimit:IPv6PrefixLength"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static DefaultHttpContext Request(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return context;
    }
}
