using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using PresignGateway.Protection;
using PresignGateway.Responses;
using PresignGateway.Signing;
using PresignGateway.Sites;

namespace PresignGateway.Configuration;

/// <summary>
/// Turns the <c>Gateway</c> options into a routing table, collecting every problem (with the setting's path and what
/// to do) instead of stopping at the first, so an operator fixes a broken configuration in one pass.
/// </summary>
internal sealed class SiteTableBuilder
{
    private static readonly string[] KnownQueryNames = ["versionId", "x-oss-process", "filename", "inline"];

    private readonly IConfiguration _configuration;
    private readonly List<string> _errors = [];

    private SiteTableBuilder(IConfiguration configuration) => _configuration = configuration;

    /// <summary>Builds the table, or returns null with the list of problems.</summary>
    /// <param name="configuration">Where credentials that the stores leave empty come from (OSS_ACCESS_KEY_ID, ...).</param>
    public static SiteTable? TryBuild(GatewayOptions options, IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        var builder = new SiteTableBuilder(configuration);
        SiteTable? table = builder.Build(options);
        errors = builder._errors;
        return builder._errors.Count == 0 ? table : null;
    }

    private SiteTable? Build(GatewayOptions options)
    {
        if (options.Cache.RefreshBefore <= TimeSpan.Zero)
        {
            _errors.Add("Gateway:Cache:RefreshBefore must be positive, such as 00:05:00.");
        }

        if (options.Cache.MaxEntries < 1)
        {
            _errors.Add("Gateway:Cache:MaxEntries must be at least 1 (default 100000).");
        }

        if (options.Cache.MaxBytes < CacheOptions.MinMaxBytes)
        {
            _errors.Add(string.Create(CultureInfo.InvariantCulture, $"Gateway:Cache:MaxBytes is {options.Cache.MaxBytes}: set at least {CacheOptions.MinMaxBytes} (1 MiB), in bytes; the default is {CacheOptions.DefaultMaxBytes} (64 MiB)."));
        }

        CheckUpstream(options.Upstream);
        CheckRateLimit(options.ClientRateLimit, "Gateway:ClientRateLimit");
        if (options.ClientRateLimit is { IPv6PrefixLength: < ClientRateLimitOptions.MinIPv6PrefixLength or > ClientRateLimitOptions.MaxIPv6PrefixLength } client)
        {
            _errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Gateway:ClientRateLimit:IPv6PrefixLength is {client.IPv6PrefixLength}: it must be from {ClientRateLimitOptions.MinIPv6PrefixLength} to {ClientRateLimitOptions.MaxIPv6PrefixLength} (default 64, one subscriber's network; 128 limits each address)."));
        }

        var stores = new Dictionary<string, StoreTarget>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, StoreOptions store) in options.Stores)
        {
            if (BuildStore(name, store) is { } target)
            {
                stores[name] = target;
            }
        }

        if (options.Sites.Count == 0)
        {
            _errors.Add("Gateway:Sites is empty: add at least one site (Hosts, PathPrefix, Store).");
        }

        var sites = new List<Site>();
        var bindings = new List<(string HostPattern, Site Site)>();
        var claimed = new Dictionary<(string Host, string Prefix), string>();
        foreach ((string name, SiteOptions site) in options.Sites)
        {
            Site? built = BuildSite(name, site, stores, options.Stores.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray());
            if (built is null)
            {
                continue;
            }

            sites.Add(built);
            foreach (string host in site.Hosts)
            {
                string pattern = host.Trim().ToLowerInvariant();
                if (claimed.TryGetValue((pattern, built.PathPrefix), out string? other))
                {
                    _errors.Add($"Gateway:Sites:{name} and Gateway:Sites:{other} both claim host '{pattern}' with path prefix '{PrefixText(built.PathPrefix)}': give one of them another host or prefix.");
                    continue;
                }

                claimed[(pattern, built.PathPrefix)] = name;
                bindings.Add((pattern, built));
            }
        }

        return _errors.Count == 0 ? new SiteTable(sites, bindings) : null;
    }

    private StoreTarget? BuildStore(string name, StoreOptions store)
    {
        string path = $"Gateway:Stores:{name}";
        int errorsBefore = _errors.Count;
        SigningScheme? scheme = ParseEnum<SigningScheme>(store.Provider, $"{path}:Provider", required: true);
        AddressingStyle? addressing = ParseEnum<AddressingStyle>(store.Addressing, $"{path}:Addressing", required: false);

        BucketLocation? location = null;
        if (string.IsNullOrWhiteSpace(store.Endpoint) || string.IsNullOrWhiteSpace(store.Region) || string.IsNullOrWhiteSpace(store.Bucket))
        {
            foreach ((string setting, string? value) in new[] { ("Endpoint", store.Endpoint), ("Region", store.Region), ("Bucket", store.Bucket) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    _errors.Add($"{path}:{setting} is required.");
                }
            }
        }
        else if (addressing is { } style)
        {
            IReadOnlyList<InvalidPresignRequestException> problems = BucketLocation.Validate(store.Endpoint, store.Region, store.Bucket, style);
            foreach (InvalidPresignRequestException problem in problems)
            {
                _errors.Add($"{path}:{Capitalise(problem.ParamName)}: {problem.Reason}");
            }

            location = problems.Count == 0 ? BucketLocation.Create(store.Endpoint, store.Region, store.Bucket, style) : null;
        }

        if (scheme is SigningScheme.OssV4 or SigningScheme.OssV1 && store.Bucket?.Contains('.', StringComparison.Ordinal) == true)
        {
            _errors.Add($"{path}:Bucket: an OSS bucket name can't contain '.'.");
        }

        // With an unknown provider the OSS variable names stand in, so missing keys are still reported in the same pass.
        Credentials? credentials = BuildCredentials(path, store, scheme ?? SigningScheme.OssV4);
        if (scheme is { } signing)
        {
            TimeSpan max = signing != SigningScheme.OssV1 ? TimeSpan.FromDays(7) : TimeSpan.FromDays(3650);
            if (signing != SigningScheme.S3V4 && credentials?.SecurityToken is not null)
            {
                max = TimeSpan.FromHours(12);
            }

            if (store.UrlLifetime < TimeSpan.FromSeconds(1) || store.UrlLifetime > max || store.UrlLifetime.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                _errors.Add($"{path}:UrlLifetime is {store.UrlLifetime}: it must be whole seconds from 00:00:01 to {max:c} for {signing}{(max == TimeSpan.FromHours(12) ? " with an STS token" : "")}.");
            }
        }

        return _errors.Count == errorsBefore && scheme is { } done && location is not null && credentials is not null
            ? new StoreTarget(name, UrlPresigners.Create(done), location, credentials, store.UrlLifetime)
            : null;
    }

    private Credentials? BuildCredentials(string path, StoreOptions store, SigningScheme scheme)
    {
        (string idVariable, string secretVariable, string tokenVariable) = scheme == SigningScheme.S3V4
            ? ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
            : ("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN");
        bool fromConfiguration = !string.IsNullOrEmpty(store.AccessKeyId) || !string.IsNullOrEmpty(store.AccessKeySecret);
        string? id = fromConfiguration ? store.AccessKeyId : _configuration[idVariable];
        string? secret = fromConfiguration ? store.AccessKeySecret : _configuration[secretVariable];
        string? token = fromConfiguration ? store.SecurityToken : _configuration[tokenVariable];
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            _errors.Add(fromConfiguration
                ? $"{path}: set both AccessKeyId and AccessKeySecret (or neither, to use {idVariable} and {secretVariable})."
                : $"{path} has no keys: set {path}:AccessKeyId and {path}:AccessKeySecret, or the environment variables {idVariable} and {secretVariable}.");
            return null;
        }

        try
        {
            return new Credentials(id, secret, string.IsNullOrEmpty(token) ? null : token);
        }
        catch (InvalidPresignRequestException e)
        {
            _errors.Add($"{path}: the credentials are unusable: {e.Reason}");
            return null;
        }
    }

    private Site? BuildSite(string name, SiteOptions site, Dictionary<string, StoreTarget> stores, string[] storeNames)
    {
        string path = $"Gateway:Sites:{name}";
        int errorsBefore = _errors.Count;
        if (site.Hosts.Count == 0)
        {
            _errors.Add($"{path}:Hosts is empty: list the host names it answers, such as downloads.example.com, *.example.com or *.");
        }

        foreach (string host in site.Hosts)
        {
            if (!IsValidHostPattern(host.Trim()))
            {
                _errors.Add($"{path}:Hosts has '{host}': use a host name without scheme, port or path, '*.example.com' or '*'.");
            }
        }

        string prefix = site.PathPrefix ?? "/";
        if (!prefix.StartsWith('/') || prefix.Contains('?', StringComparison.Ordinal) || prefix.Contains('%', StringComparison.Ordinal))
        {
            _errors.Add($"{path}:PathPrefix '{prefix}' must start with '/' and be written decoded, without '?' or '%'.");
        }

        string normalisedPrefix = prefix.TrimEnd('/');
        StoreTarget? store = null;
        if (string.IsNullOrWhiteSpace(site.Store))
        {
            _errors.Add($"{path}:Store is required: name one of the stores ({string.Join(", ", storeNames)}).");
        }
        else if (!stores.TryGetValue(site.Store, out store) && !storeNames.Contains(site.Store, StringComparer.OrdinalIgnoreCase))
        {
            _errors.Add($"{path}:Store '{site.Store}' is not a configured store; the stores are: {string.Join(", ", storeNames)}.");
        }

        DeliveryMode? mode = ParseEnum<DeliveryMode>(site.Mode, $"{path}:Mode", required: false);
        DispositionType? disposition = ParseEnum<DispositionType>(site.Disposition, $"{path}:Disposition", required: false);

        foreach (string query in site.AllowedQuery)
        {
            if (!KnownQueryNames.Contains(query, StringComparer.Ordinal))
            {
                _errors.Add($"{path}:AllowedQuery has '{query}': the gateway honours only {string.Join(", ", KnownQueryNames)} (case-sensitive).");
            }
        }

        string? cacheControl = string.IsNullOrWhiteSpace(site.CacheControl) ? null : site.CacheControl.Trim();
        if (cacheControl is not null && cacheControl.Any(c => c < ' ' || c > '~'))
        {
            _errors.Add($"{path}:CacheControl must be printable ASCII, such as 'public, max-age=86400'.");
        }

        string keyPrefix = site.KeyPrefix ?? "";
        if (keyPrefix.Length > 0 && ObjectKeyRules.Check(keyPrefix + "x") is { } keyPrefixProblem)
        {
            _errors.Add($"{path}:KeyPrefix: {keyPrefixProblem}");
        }
        else if (keyPrefix.Length > 0 && !keyPrefix.EndsWith('/'))
        {
            // 'public' + '-private/x.txt' would reach the sibling 'public-private/': a prefix is a folder.
            _errors.Add($"{path}:KeyPrefix '{keyPrefix}' must end with '/' (such as '{keyPrefix}/'): without it, paths reach sibling keys that merely start with it ('{keyPrefix}-other/...').");
        }

        var aliases = new Dictionary<string, SiteAlias>(StringComparer.Ordinal);
        foreach ((string aliasPath, AliasOptions alias) in site.Aliases)
        {
            string aliasSetting = $"{path}:Aliases:{aliasPath}";
            if (!aliasPath.StartsWith('/') || !(aliasPath.StartsWith(normalisedPrefix + "/", StringComparison.Ordinal) || aliasPath == normalisedPrefix))
            {
                _errors.Add($"{aliasSetting}: an alias is a full request path under the site's PathPrefix '{PrefixText(normalisedPrefix)}'.");
            }

            if (string.IsNullOrEmpty(alias.Key))
            {
                _errors.Add($"{aliasSetting}:Key is required: the object key the alias serves.");
            }
            else if (ObjectKeyRules.Check(alias.Key) is { } keyProblem)
            {
                _errors.Add($"{aliasSetting}:Key: {keyProblem}");
            }

            string? fileName = null;
            if (!string.IsNullOrEmpty(alias.FileName))
            {
                fileName = DownloadFileName.Clean(alias.FileName);
                if (fileName is null)
                {
                    _errors.Add($"{aliasSetting}:FileName has nothing left after removing paths and control characters.");
                }
            }

            aliases[aliasPath] = new SiteAlias(alias.Key ?? "", fileName, string.IsNullOrEmpty(alias.VersionId) ? null : alias.VersionId);
        }

        SiteProtection protection = BuildProtection(path + ":Protection", site.Protection);
        if (protection.RestrictsAccess)
        {
            // A shared cache (CDN, nginx proxy_cache, Varnish) keys on the URL, not on the Referer, the address or the
            // link's expiry: one stored 200 would reach everyone. So protected successes are private, always.
            if (cacheControl is not null && SharedCacheProblem(cacheControl) is { } problem)
            {
                _errors.Add(
                    $"{path}:CacheControl '{cacheControl}' {problem}, but the site restricts access (Protection: Referers, AllowedNetworks, DeniedNetworks or SignedLinks), "
                    + "and a shared cache in front (a CDN, nginx proxy_cache, Varnish) would serve the protected response to anyone. Use 'private, max-age=N' or 'no-store', "
                    + "or leave CacheControl unset (protected responses then carry 'private'). To cache behind a CDN, enforce the protection at the CDN and let only the CDN "
                    + "reach the gateway with the CDN origin secret (Protection:OriginSecret, issue 14).");
            }

            cacheControl ??= "private";
        }
        CheckRateLimit(site.Protection.RateLimit, path + ":Protection:RateLimit");
        if (_errors.Count != errorsBefore || store is null || mode is null || disposition is null)
        {
            return null;
        }

        return new Site
        {
            Name = name,
            PathPrefix = normalisedPrefix,
            Store = store,
            KeyPrefix = keyPrefix,
            Mode = mode.Value,
            Disposition = disposition.Value,
            Aliases = aliases.ToFrozenDictionary(StringComparer.Ordinal),
            AllowsVersionId = site.AllowedQuery.Contains("versionId"),
            AllowsImageProcessing = site.AllowedQuery.Contains("x-oss-process") && store.SupportsImageProcessing,
            AllowsFileName = site.AllowedQuery.Contains("filename"),
            AllowsInline = site.AllowedQuery.Contains("inline"),
            CacheControl = cacheControl,
            Protection = protection,
            RateLimit = site.Protection.RateLimit,
        };
    }

    private SiteProtection BuildProtection(string path, ProtectionOptions protection)
    {
        System.Net.IPNetwork[] allowed = ParseNetworks(protection.AllowedNetworks, path + ":AllowedNetworks");
        System.Net.IPNetwork[] denied = ParseNetworks(protection.DeniedNetworks, path + ":DeniedNetworks");
        string[]? referers = null;
        if (protection.Referers is { } refererOptions)
        {
            referers = [.. refererOptions.Allowed.Select(r => r.Trim().ToLowerInvariant())];
            foreach (string referer in referers)
            {
                if (!IsValidHostPattern(referer))
                {
                    _errors.Add($"{path}:Referers:Allowed has '{referer}': use a host name such as example.com, '*.example.com' or '*'.");
                }
            }
        }

        byte[][] secrets = [];
        if (protection.SignedLinks is { } links)
        {
            if (links.Secrets.Count == 0)
            {
                _errors.Add($"{path}:SignedLinks:Secrets is empty: give at least one secret (the first signs; all verify).");
            }

            for (int i = 0; i < links.Secrets.Count; i++)
            {
                if (links.Secrets[i] is not { Length: >= 16 })
                {
                    _errors.Add($"{path}:SignedLinks:Secrets:{i} is shorter than 16 characters: use a random value of 32 bytes or more.");
                }
            }

            secrets = [.. links.Secrets.Select(secret => System.Text.Encoding.UTF8.GetBytes(secret ?? ""))];
        }

        return allowed.Length == 0 && denied.Length == 0 && referers is null && secrets.Length == 0
            ? SiteProtection.None
            : new SiteProtection(allowed, denied, referers, protection.Referers?.AllowEmpty ?? true, secrets);
    }

    /// <summary>Why a Cache-Control lets a shared cache store the response, or null when it doesn't.</summary>
    private static string? SharedCacheProblem(string cacheControl)
    {
        bool privateOrNoStore = false;
        foreach (string part in cacheControl.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = (equals < 0 ? part : part[..equals]).Trim();
            if (name.Equals("public", StringComparison.OrdinalIgnoreCase) || name.Equals("s-maxage", StringComparison.OrdinalIgnoreCase))
            {
                return $"has '{name}'";
            }

            // private="Set-Cookie" only hides those fields: a shared cache may still store the rest.
            privateOrNoStore |= equals < 0 && (name.Equals("private", StringComparison.OrdinalIgnoreCase) || name.Equals("no-store", StringComparison.OrdinalIgnoreCase));
        }

        return privateOrNoStore ? null : "has neither 'private' nor 'no-store'";
    }

    private System.Net.IPNetwork[] ParseNetworks(List<string> networks, string setting)
    {
        var parsed = new List<System.Net.IPNetwork>();
        foreach (string network in networks)
        {
            if (System.Net.IPNetwork.TryParse(network.Trim(), out System.Net.IPNetwork value))
            {
                parsed.Add(value);
            }
            else if (System.Net.IPAddress.TryParse(network.Trim(), out System.Net.IPAddress? address))
            {
                parsed.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                _errors.Add($"{setting} has '{network}': use CIDR such as 10.0.0.0/8 or 2001:db8::/32, or a single address.");
            }
        }

        return [.. parsed];
    }

    private void CheckUpstream(UpstreamOptions upstream)
    {
        if (upstream.ConnectTimeout <= TimeSpan.Zero)
        {
            _errors.Add("Gateway:Upstream:ConnectTimeout must be positive, such as 00:00:05.");
        }

        if (upstream.ResponseHeadersTimeout <= TimeSpan.Zero)
        {
            _errors.Add("Gateway:Upstream:ResponseHeadersTimeout must be positive, such as 00:00:30.");
        }

        if (upstream.MaxConnectionsPerServer < 1)
        {
            _errors.Add("Gateway:Upstream:MaxConnectionsPerServer must be at least 1 (default 1024).");
        }

        if (upstream.BodyBufferSize is < UpstreamOptions.MinBodyBufferSize or > UpstreamOptions.MaxBodyBufferSize)
        {
            _errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Gateway:Upstream:BodyBufferSize must be between {UpstreamOptions.MinBodyBufferSize} and {UpstreamOptions.MaxBodyBufferSize} bytes (default {UpstreamOptions.DefaultBodyBufferSize})."));
        }
    }

    private void CheckRateLimit(RateLimitOptions? limit, string setting)
    {
        if (limit is null)
        {
            return;
        }

        if (limit.PermitsPerSecond < 1 || limit.Burst < 0)
        {
            _errors.Add($"{setting} needs PermitsPerSecond of at least 1 and a Burst of 0 or more (0: the same as the rate).");
        }
    }

    private TEnum? ParseEnum<TEnum>(string? value, string setting, bool required)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                _errors.Add($"{setting} is required: one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
            }

            return required ? null : default(TEnum);
        }

        // Names only: Enum.TryParse would also take numbers and comma lists ("Proxy,Redirect") and OR them together.
        foreach (string name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse<TEnum>(name);
            }
        }

        _errors.Add($"{setting} is '{value}': use one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return null;
    }

    private static bool IsValidHostPattern(string host)
    {
        if (host == "*")
        {
            return true;
        }

        string name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return name.Length > 0 && Uri.CheckHostName(name) is UriHostNameType.Dns or UriHostNameType.IPv4 && !name.Contains('*', StringComparison.Ordinal);
    }

    private static string PrefixText(string normalisedPrefix) => normalisedPrefix.Length == 0 ? "/" : normalisedPrefix;

    private static string Capitalise(string? parameter) => string.IsNullOrEmpty(parameter) ? "Store" : char.ToUpperInvariant(parameter[0]) + parameter[1..];
}
