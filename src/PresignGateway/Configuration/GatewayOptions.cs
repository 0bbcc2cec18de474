namespace PresignGateway.Configuration;

/// <summary>The <c>Gateway</c> section: stores (where objects live) and sites (which links map to them).</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Stores by name. Configuration keys are case-insensitive, so the lookup is too.</summary>
    public Dictionary<string, StoreOptions> Stores { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, SiteOptions> Sites { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public CacheOptions Cache { get; init; } = new();

    public UpstreamOptions Upstream { get; init; } = new();

    /// <summary>Requests per second per client (an IPv4 address or an IPv6 network), across all sites; off when not set.</summary>
    public ClientRateLimitOptions? ClientRateLimit { get; set; }

    public AccessLogOptions AccessLog { get; init; } = new();
}
