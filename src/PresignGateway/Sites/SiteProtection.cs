using System.Net;

namespace PresignGateway.Sites;

/// <summary>
/// A site's link protection, compiled from configuration: client networks, Referer allow-list, the secrets of
/// expiring signed links and the CDN's origin secret. Data only; the checks are in Protection (SiteProtectionChecks), each skipped when not configured.
/// </summary>
internal sealed class SiteProtection
{
    public static readonly SiteProtection None = new([], [], null, false, []);

    public SiteProtection(
        IPNetwork[] allowed, IPNetwork[] denied, string[]? referers, bool allowEmptyReferer, byte[][] linkSecrets,
        string? originSecretHeader = null, byte[][]? originSecretHashes = null)
    {
        OriginSecretHeader = originSecretHeader;
        OriginSecretHashes = originSecretHashes ?? [];
        AllowedNetworks = allowed;
        DeniedNetworks = denied;
        Referers = referers;
        AllowEmptyReferer = allowEmptyReferer;
        LinkSecrets = linkSecrets;
    }

    /// <summary>When not empty, only clients in these networks are served.</summary>
    public IPNetwork[] AllowedNetworks { get; }

    public IPNetwork[] DeniedNetworks { get; }

    /// <summary>Host patterns (see <see cref="HostPattern"/>) a Referer may name, or null when any Referer is fine.</summary>
    public string[]? Referers { get; }

    public bool AllowEmptyReferer { get; }

    /// <summary>Every secret that verifies a signed link; empty when links need no signature.</summary>
    public byte[][] LinkSecrets { get; }

    public bool RequiresSignedLinks => LinkSecrets.Length > 0;

    /// <summary>The header that must carry the CDN's origin secret, or null when none is required.</summary>
    public string? OriginSecretHeader { get; }

    /// <summary>SHA-256 of every accepted origin secret: compared at a fixed length, so timing leaks neither value nor length.</summary>
    public byte[][] OriginSecretHashes { get; }

    /// <summary>
    /// True when some clients are refused what others get (networks, Referers, signed links), so a shared cache must
    /// never store a success. A rate limit alone refuses no one for good, so it doesn't count; nor does an origin
    /// secret, which only the CDN in front holds: the CDN is then the one client, and enforces who gets its copy.
    /// </summary>
    public bool RestrictsAccess => AllowedNetworks.Length > 0 || DeniedNetworks.Length > 0 || Referers is not null || RequiresSignedLinks;
}
