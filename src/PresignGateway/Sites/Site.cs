using System.Collections.Frozen;
using PresignGateway.Configuration;
using PresignGateway.Stores;

namespace PresignGateway.Sites;

/// <summary>A download site: the links it answers under a host and path prefix, and how they map to a store.</summary>
internal sealed class Site
{
    public required string Name { get; init; }

    /// <summary>The path prefix without a trailing '/': empty for the root.</summary>
    public required string PathPrefix { get; init; }

    public required Store Store { get; init; }

    public required string KeyPrefix { get; init; }

    public required DeliveryMode Mode { get; init; }

    public required DispositionType Disposition { get; init; }

    /// <summary>Aliases by full decoded request path, matched exactly.</summary>
    public required FrozenDictionary<string, SiteAlias> Aliases { get; init; }

    public required bool AllowsVersionId { get; init; }

    public required bool AllowsImageProcessing { get; init; }

    /// <summary><c>?filename=</c>, and with it <c>?download</c>.</summary>
    public required bool AllowsFileName { get; init; }

    /// <summary><c>?inline</c>: shows the file in the browser, except active content (HTML, SVG, XML, JavaScript).</summary>
    public bool AllowsInline { get; init; }

    /// <summary>Index document, listing and append-slash, or null when the site has none of them.</summary>
    public SiteDirectories? Directories { get; init; }

    /// <summary>
    /// Replaces the store's Cache-Control on successful responses, or null to pass the store's on. Never null, public
    /// or shared-cacheable on a site that restricts access: <c>private</c> unless configured otherwise.
    /// </summary>
    public required string? CacheControl { get; init; }

    /// <summary>Cache-Control by request path prefix, longest prefix first, so the first match wins.</summary>
    public CacheRule[] CacheRules { get; init; } = [];

    /// <summary>Cache-Control of the 404 for a missing object.</summary>
    public string NotFoundCacheControl { get; init; } = "no-store";

    /// <summary>Cache-Control of a redirect, its max-age and s-maxage capped at the URL's usable life.</summary>
    public RedirectCacheControl RedirectCacheControl { get; init; } = RedirectCacheControl.Default;

    /// <summary>Networks, Referers and signed links; <see cref="SiteProtection.None"/> when nothing is configured.</summary>
    public SiteProtection Protection { get; init; } = SiteProtection.None;

    /// <summary>The site's CORS policy, or null: then no CORS headers, and a preflight gets 405.</summary>
    public SiteCors? Cors { get; init; }

    /// <summary>The site's own error pages by status (see <see cref="ErrorDocument"/>); empty for the built-in page.</summary>
    public FrozenDictionary<int, ErrorDocument> ErrorDocuments { get; init; } = FrozenDictionary<int, ErrorDocument>.Empty;

    /// <summary>The site-wide request rate, or null for none.</summary>
    public RateLimitOptions? RateLimit { get; init; }

    /// <summary>
    /// The Cache-Control of a success for a path that no alias maps: the longest matching rule's, else the site's.
    /// A short scan of a precomputed array: no allocation.
    /// </summary>
    public string? CacheControlFor(string path)
    {
        foreach (CacheRule rule in CacheRules)
        {
            if (path.StartsWith(rule.PathPrefix, StringComparison.Ordinal))
            {
                return rule.CacheControl;
            }
        }

        return CacheControl;
    }

    /// <summary>True when <paramref name="path"/> is the prefix itself or continues it with a '/'.</summary>
    public bool MatchesPath(string path)
        => path.StartsWith(PathPrefix, StringComparison.Ordinal) && (path.Length == PathPrefix.Length || path[PathPrefix.Length] == '/');
}
