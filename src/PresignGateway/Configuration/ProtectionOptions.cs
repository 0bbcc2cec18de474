namespace PresignGateway.Configuration;

/// <summary>Per-site link protection; every part is optional.</summary>
internal sealed class ProtectionOptions
{
    /// <summary>Hotlink protection: only these Referer hosts may link to the site.</summary>
    public RefererOptions? Referers { get; set; }

    /// <summary>When not empty, only clients in these networks (CIDR, IPv4 or IPv6) are served.</summary>
    public List<string> AllowedNetworks { get; init; } = [];

    /// <summary>Clients in these networks are refused, whatever AllowedNetworks says.</summary>
    public List<string> DeniedNetworks { get; init; } = [];

    /// <summary>Expiring links: <c>?expires=...&amp;sig=...</c>, HMAC-SHA256 with one of these secrets.</summary>
    public SignedLinkOptions? SignedLinks { get; set; }

    /// <summary>Only requests that carry the CDN's origin secret are served.</summary>
    public OriginSecretOptions? OriginSecret { get; set; }

    /// <summary>Requests per second for the whole site.</summary>
    public RateLimitOptions? RateLimit { get; set; }
}
