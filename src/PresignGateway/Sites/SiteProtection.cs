using System.Net;

namespace PresignGateway.Sites;

/// <summary>
/// A site's link protection, compiled from configuration: client networks, Referer allow-list and the secrets of
/// expiring signed links. Data only; the checks are in Protection (SiteProtectionChecks), each skipped when not configured.
/// </summary>
internal sealed class SiteProtection
{
    public static readonly SiteProtection None = new([], [], null, false, []);

    public SiteProtection(IPNetwork[] allowed, IPNetwork[] denied, string[]? referers, bool allowEmptyReferer, byte[][] linkSecrets)
    {
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

    /// <summary>
    /// True when some clients are refused what others get (networks, Referers, signed links), so a shared cache must
    /// never store a success. A rate limit alone refuses no one for good, so it doesn't count.
    /// </summary>
    public bool RestrictsAccess => AllowedNetworks.Length > 0 || DeniedNetworks.Length > 0 || Referers is not null || RequiresSignedLinks;
}
