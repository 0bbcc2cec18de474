using System.Globalization;

namespace PresignGateway.Configuration;

/// <summary>The rules of the settings that build no runtime type (cache, upstream, client rate): each problem names its setting and what to set.</summary>
internal static class GatewayOptionsChecks
{
    public static void Check(GatewayOptions options, ICollection<string> errors)
    {
        if (options.Cache.RefreshBefore <= TimeSpan.Zero)
        {
            errors.Add("Gateway:Cache:RefreshBefore must be positive, such as 00:05:00.");
        }

        if (options.Cache.MaxEntries < 1)
        {
            errors.Add("Gateway:Cache:MaxEntries must be at least 1 (default 100000).");
        }

        if (options.Cache.MaxBytes < CacheOptions.MinMaxBytes)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Gateway:Cache:MaxBytes is {options.Cache.MaxBytes}: set at least {CacheOptions.MinMaxBytes} (1 MiB), in bytes; the default is {CacheOptions.DefaultMaxBytes} (64 MiB)."));
        }

        if (options.Cache.ListingMaxBytes < 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Gateway:Cache:ListingMaxBytes is {options.Cache.ListingMaxBytes}: set 0 (no listing cache) or more, in bytes; the default is {CacheOptions.DefaultListingMaxBytes} (16 MiB)."));
        }

        if (options.Cache.RedisTimeout <= TimeSpan.Zero)
        {
            errors.Add("Gateway:Cache:RedisTimeout must be positive, such as 00:00:00.200.");
        }

        CheckUpstream(options.Upstream, errors);
        CheckRateLimit(options.ClientRateLimit, "Gateway:ClientRateLimit", errors);
        if (options.ClientRateLimit is { IPv6PrefixLength: < ClientRateLimitOptions.MinIPv6PrefixLength or > ClientRateLimitOptions.MaxIPv6PrefixLength } client)
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Gateway:ClientRateLimit:IPv6PrefixLength is {client.IPv6PrefixLength}: it must be from {ClientRateLimitOptions.MinIPv6PrefixLength} to {ClientRateLimitOptions.MaxIPv6PrefixLength} (default 64, one subscriber's network; 128 limits each address)."));
        }
    }

    private static void CheckUpstream(UpstreamOptions upstream, ICollection<string> errors)
    {
        if (upstream.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add("Gateway:Upstream:ConnectTimeout must be positive, such as 00:00:05.");
        }

        if (upstream.ResponseHeadersTimeout <= TimeSpan.Zero)
        {
            errors.Add("Gateway:Upstream:ResponseHeadersTimeout must be positive, such as 00:00:30.");
        }

        if (upstream.MaxConnectionsPerServer < 1)
        {
            errors.Add("Gateway:Upstream:MaxConnectionsPerServer must be at least 1 (default 1024).");
        }

        if (upstream.BodyBufferSize is < UpstreamOptions.MinBodyBufferSize or > UpstreamOptions.MaxBodyBufferSize)
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Gateway:Upstream:BodyBufferSize must be between {UpstreamOptions.MinBodyBufferSize} and {UpstreamOptions.MaxBodyBufferSize} bytes (default {UpstreamOptions.DefaultBodyBufferSize})."));
        }
    }

    /// <summary>Checks a request rate (<c>Gateway:ClientRateLimit</c>, a site's <c>Protection:RateLimit</c>); null is off.</summary>
    public static void CheckRateLimit(RateLimitOptions? limit, string setting, ICollection<string> errors)
    {
        if (limit is null)
        {
            return;
        }

        if (limit.PermitsPerSecond < 1 || limit.Burst < 0)
        {
            errors.Add($"{setting} needs PermitsPerSecond of at least 1 and a Burst of 0 or more (0: the same as the rate).");
        }
    }
}
