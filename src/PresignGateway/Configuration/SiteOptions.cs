namespace PresignGateway.Configuration;

/// <summary>Which requests a site answers and how it maps them onto a store.</summary>
internal sealed class SiteOptions
{
    /// <summary>Host names, matched without the port: exact, <c>*.example.com</c>, or <c>*</c>.</summary>
    public List<string> Hosts { get; init; } = [];

    public string PathPrefix { get; set; } = "/";

    public string? Store { get; set; }

    /// <summary>Prepended to the rest of the path to form the object key.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary><c>Proxy</c> (stream through) or <c>Redirect</c> (302 to the presigned URL).</summary>
    public string Mode { get; set; } = nameof(DeliveryMode.Proxy);

    /// <summary><c>Attachment</c> or <c>Inline</c>.</summary>
    public string Disposition { get; set; } = nameof(DispositionType.Attachment);

    /// <summary><c>On</c> lists a directory (a path ending in '/') that has no index document; <c>Off</c> by default.</summary>
    public string? Listing { get; set; }

    /// <summary>An object name, such as <c>index.html</c>, served inline for a directory that holds one.</summary>
    public string? IndexDocument { get; set; }

    /// <summary>Redirects a missing object's path to the path plus '/' when something exists under it.</summary>
    public bool AppendSlash { get; set; }

    /// <summary>Entries per listing page, 1-1000.</summary>
    public int ListingPageSize { get; set; } = 1000;

    /// <summary>How long a listing is kept in process and may be kept by a CDN.</summary>
    public TimeSpan ListingCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Exact request paths that map to a fixed key, such as <c>/latest/app.zip</c>.</summary>
    public Dictionary<string, AliasOptions> Aliases { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Client query parameters the site honours: <c>versionId</c>, <c>x-oss-process</c>, <c>filename</c>.</summary>
    public List<string> AllowedQuery { get; init; } = [];

    /// <summary>Replaces the store's Cache-Control on successful responses, for a CDN in front.</summary>
    public string? CacheControl { get; set; }

    /// <summary>Cache-Control by request path prefix (longest wins), between an alias's own and the site's.</summary>
    public List<CacheRuleOptions> CacheRules { get; init; } = [];

    /// <summary>Cache-Control of the 404 for a missing object; <c>no-store</c> unless set.</summary>
    public string? NotFoundCacheControl { get; set; }

    /// <summary>Cache-Control of a redirect; <c>private, max-age=N</c> (the URL's usable life) unless set.</summary>
    public string? RedirectCacheControl { get; set; }

    /// <summary>Optional hotlink, network, signed-link and rate protection.</summary>
    public ProtectionOptions Protection { get; init; } = new();

    /// <summary>Optional cross-origin access for pages on other origins; none when absent.</summary>
    public SiteCorsOptions? Cors { get; set; }

    /// <summary>By status (<c>404</c>): the object key, from the bucket's root, of the page a browser gets for it.</summary>
    public Dictionary<string, string> ErrorDocuments { get; init; } = new(StringComparer.Ordinal);
}
