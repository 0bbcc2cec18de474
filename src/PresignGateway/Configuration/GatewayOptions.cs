using PresignGateway.Signing;

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
}

/// <summary>A bucket in OSS or an S3-compatible store, with the keys that sign for it.</summary>
internal sealed class StoreOptions
{
    /// <summary><c>OssV4</c>, <c>OssV1</c> or <c>S3V4</c>, any case. Kept as text so a typo is reported with every other problem.</summary>
    public string? Provider { get; set; }

    /// <summary><c>scheme://host[:port]</c> of the service, without the bucket.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The signing region: <c>cn-hangzhou</c> for OSS (without <c>oss-</c>), <c>us-east-1</c>, <c>auto</c> for R2.</summary>
    public string? Region { get; set; }

    public string? Bucket { get; set; }

    /// <summary><c>VirtualHosted</c>, <c>Path</c> or <c>CustomDomain</c>.</summary>
    public string Addressing { get; set; } = nameof(AddressingStyle.VirtualHosted);

    /// <summary>How long each presigned URL is valid; the cache keeps it until shortly before that.</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Empty: taken from OSS_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID.</summary>
    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    public string? SecurityToken { get; set; }
}

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

    /// <summary>Exact request paths that map to a fixed key, such as <c>/latest/app.zip</c>.</summary>
    public Dictionary<string, AliasOptions> Aliases { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Client query parameters the site honours: <c>versionId</c>, <c>x-oss-process</c>, <c>filename</c>.</summary>
    public List<string> AllowedQuery { get; init; } = [];

    /// <summary>Replaces the store's Cache-Control on successful responses, for a CDN in front.</summary>
    public string? CacheControl { get; set; }

    /// <summary>Optional hotlink, network, signed-link and rate protection.</summary>
    public ProtectionOptions Protection { get; init; } = new();
}

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

    /// <summary>Requests per second for the whole site.</summary>
    public RateLimitOptions? RateLimit { get; set; }
}

internal sealed class RefererOptions
{
    /// <summary>Host names: <c>example.com</c>, <c>*.example.com</c> or <c>*</c>.</summary>
    public List<string> Allowed { get; init; } = [];

    /// <summary>Whether a request without a Referer (direct download, curl, privacy settings) is served.</summary>
    public bool AllowEmpty { get; set; } = true;
}

internal sealed class SignedLinkOptions
{
    /// <summary>Every secret that verifies a link; the first one signs. Several at once allow rotation.</summary>
    public List<string> Secrets { get; init; } = [];
}

internal class RateLimitOptions
{
    public int PermitsPerSecond { get; set; }

    /// <summary>How many requests may arrive at once above the steady rate; defaults to the rate.</summary>
    public int Burst { get; set; }
}

internal sealed class ClientRateLimitOptions : RateLimitOptions
{
    public const int MinIPv6PrefixLength = 32;
    public const int MaxIPv6PrefixLength = 128;

    /// <summary>
    /// IPv6 clients whose addresses share this many leading bits share one bucket: a subscriber usually gets a whole
    /// /64 and can use any address in it. 128 limits each address. IPv4 clients are always limited per address.
    /// </summary>
    public int IPv6PrefixLength { get; set; } = 64;
}

internal sealed class AliasOptions
{
    public string? Key { get; set; }

    public string? FileName { get; set; }

    public string? VersionId { get; set; }
}

internal sealed class CacheOptions
{
    /// <summary>Refresh a cached URL this long before it expires (or 10% of its lifetime when that is smaller).</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most URLs the in-process tier holds.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>The most memory the in-process tier holds, each URL charged what it keeps alive (key, URL, parsed URI, overhead).</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    /// <summary>One URL with long hostile names costs up to about 40 KB: below this, the tier would hold too few.</summary>
    public const long MinMaxBytes = 1024 * 1024;

    /// <summary>A StackExchange.Redis connection string for the shared tier; <c>ConnectionStrings:Redis</c> works too. Empty: in-process only.</summary>
    public string? Redis { get; set; }

    /// <summary>The longest any Redis call may take before the download goes on without it.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(200);
}

internal sealed class UpstreamOptions
{
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the store's response headers.</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxConnectionsPerServer { get; set; } = 1024;

    /// <summary>The most bytes one read from the store asks for while streaming a body (see ResponseBodyCopier).</summary>
    public int BodyBufferSize { get; set; } = DefaultBodyBufferSize;

    public const int DefaultBodyBufferSize = 256 * 1024;
    public const int MinBodyBufferSize = 16 * 1024;
    public const int MaxBodyBufferSize = 4 * 1024 * 1024;
}

internal enum DeliveryMode
{
    /// <summary>Stream the object through the gateway.</summary>
    Proxy,

    /// <summary>Answer 302 with the presigned URL.</summary>
    Redirect,
}

internal enum DispositionType
{
    Attachment,
    Inline,
}
