using System.Collections.Frozen;
using PresignGateway.Configuration;
using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Sites;

/// <summary>
/// Turns the <c>Gateway</c> options into a routing table, collecting every problem (with the setting's path and what
/// to do) instead of stopping at the first, so an operator fixes a broken configuration in one pass.
/// </summary>
internal sealed class SiteTableBuilder
{
    /// <summary>
    /// Headers an origin secret may not use: those the gateway forwards to the store (Responses/DownloadHeaders'
    /// allow-list, which would then carry the secret upstream) and those that route or shape the request.
    /// </summary>
    private static readonly string[] ReservedHeaders =
    [
        "Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since",
        "Host", "Referer", "Origin", "Accept", "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
    ];

    private readonly IConfiguration _configuration;
    private readonly List<string> _errors = [];
    // One per table, shared by its sites' CORS policies.
    private readonly Microsoft.AspNetCore.Cors.Infrastructure.ICorsService _corsService = SiteCors.CreateService();

    private readonly Func<RefreshingCredentialSource, RefreshingCredentialSource>? _reuseCredentials;

    private SiteTableBuilder(IConfiguration configuration, Func<RefreshingCredentialSource, RefreshingCredentialSource>? reuseCredentials)
    {
        _configuration = configuration;
        _reuseCredentials = reuseCredentials;
    }

    /// <summary>Builds the table, or returns null with the list of problems.</summary>
    /// <param name="configuration">Where credentials that the stores leave empty come from (OSS_ACCESS_KEY_ID, ...).</param>
    /// <param name="reuseCredentials">Hands back the running credential sources a reload leaves unchanged (<see cref="CredentialRefresher.Reuse"/>).</param>
    public static SiteTable? TryBuild(
        GatewayOptions options, IConfiguration configuration, out IReadOnlyList<string> errors, Func<RefreshingCredentialSource, RefreshingCredentialSource>? reuseCredentials = null)
    {
        var builder = new SiteTableBuilder(configuration, reuseCredentials);
        SiteTable? table = builder.Build(options);
        errors = builder._errors;
        return builder._errors.Count == 0 ? table : null;
    }

    private SiteTable? Build(GatewayOptions options)
    {
        GatewayOptionsChecks.Check(options, _errors);
        var stores = new Dictionary<string, Store>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, StoreOptions store) in options.Stores)
        {
            if (StoreBuilder.TryBuild(name, store, _configuration, _errors, _reuseCredentials) is { } target)
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

    private Site? BuildSite(string name, SiteOptions site, Dictionary<string, Store> stores, string[] storeNames)
    {
        string path = $"Gateway:Sites:{name}";
        int errorsBefore = _errors.Count;
        if (site.Hosts.Count == 0)
        {
            _errors.Add($"{path}:Hosts is empty: list the host names it answers, such as downloads.example.com, *.example.com or *.");
        }

        foreach (string host in site.Hosts)
        {
            if (!HostPattern.IsValid(host.Trim()))
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
        Store? store = null;
        if (string.IsNullOrWhiteSpace(site.Store))
        {
            _errors.Add($"{path}:Store is required: name one of the stores ({string.Join(", ", storeNames)}).");
        }
        else if (!stores.TryGetValue(site.Store, out store) && !storeNames.Contains(site.Store, StringComparer.OrdinalIgnoreCase))
        {
            _errors.Add($"{path}:Store '{site.Store}' is not a configured store; the stores are: {string.Join(", ", storeNames)}.");
        }

        DeliveryMode? mode = EnumSetting.Parse<DeliveryMode>(site.Mode, $"{path}:Mode", required: false, _errors);
        DispositionType? disposition = EnumSetting.Parse<DispositionType>(site.Disposition, $"{path}:Disposition", required: false, _errors);

        foreach (string query in site.AllowedQuery)
        {
            if (!ClientQueryNames.Allowable.Contains(query, StringComparer.Ordinal))
            {
                _errors.Add($"{path}:AllowedQuery has '{query}': the gateway honours only {string.Join(", ", ClientQueryNames.Allowable)} (case-sensitive).");
            }
        }

        string? cacheControl = ReadCacheControl($"{path}:CacheControl", site.CacheControl, "public, max-age=86400");

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

            string? aliasCacheControl = ReadCacheControl($"{aliasSetting}:CacheControl", alias.CacheControl, "public, max-age=300");
            aliases[aliasPath] = new SiteAlias(alias.Key ?? "", fileName, string.IsNullOrEmpty(alias.VersionId) ? null : alias.VersionId, aliasCacheControl);
        }

        CacheRule[] cacheRules = BuildCacheRules(path, site.CacheRules, normalisedPrefix);
        SiteDirectories? directories = SiteDirectories.Build(path, site, _errors);
        string notFoundCacheControl = ReadCacheControl($"{path}:NotFoundCacheControl", site.NotFoundCacheControl, "public, max-age=10") ?? "no-store";
        string? redirectText = ReadCacheControl($"{path}:RedirectCacheControl", site.RedirectCacheControl, "private, max-age=3600");
        RedirectCacheControl redirectCacheControl = RedirectCacheControl.Default;
        if (redirectText is not null)
        {
            if (RedirectCacheControl.Parse(redirectText, out string? redirectProblem) is { } parsed)
            {
                redirectCacheControl = parsed;
            }
            else
            {
                _errors.Add($"{path}:RedirectCacheControl '{redirectText}' {redirectProblem}.");
            }
        }

        SiteProtection protection = BuildProtection(path + ":Protection", site.Protection);
        if (protection.RestrictsAccess)
        {
            // A shared cache (CDN, nginx proxy_cache, Varnish) keys on the URL, not on the Referer, the address or the
            // link's expiry: one stored 200 (or 404, or 302) would reach everyone. So protected answers are private, always.
            CheckProtected($"{path}:CacheControl", cacheControl);
            foreach ((string aliasPath, SiteAlias alias) in aliases)
            {
                CheckProtected($"{path}:Aliases:{aliasPath}:CacheControl", alias.CacheControl);
            }

            for (int i = 0; i < site.CacheRules.Count; i++)
            {
                CheckProtected($"{path}:CacheRules:{i}:CacheControl", site.CacheRules[i].CacheControl?.Trim());
            }

            CheckProtected($"{path}:NotFoundCacheControl", site.NotFoundCacheControl is null ? null : notFoundCacheControl);
            CheckProtected($"{path}:RedirectCacheControl", redirectText);
            cacheControl ??= "private";
        }

        GatewayOptionsChecks.CheckRateLimit(site.Protection.RateLimit, path + ":Protection:RateLimit", _errors);
        SiteCors? cors = site.Cors is null ? null : SiteCors.Build(path + ":Cors", site.Cors, _corsService, _errors);
        FrozenDictionary<int, ErrorDocument> errorDocuments = ErrorDocument.Build(path + ":ErrorDocuments", site.ErrorDocuments, _errors);
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
            Directories = directories,
            Disposition = disposition.Value,
            Aliases = aliases.ToFrozenDictionary(StringComparer.Ordinal),
            AllowsVersionId = site.AllowedQuery.Contains(ClientQueryNames.VersionId),
            AllowsImageProcessing = site.AllowedQuery.Contains(ClientQueryNames.ImageProcess) && store.SupportsImageProcessing,
            AllowsFileName = site.AllowedQuery.Contains(ClientQueryNames.FileName),
            AllowsInline = site.AllowedQuery.Contains(ClientQueryNames.Inline),
            CacheControl = cacheControl,
            CacheRules = cacheRules,
            NotFoundCacheControl = notFoundCacheControl,
            RedirectCacheControl = redirectCacheControl,
            Protection = protection,
            RateLimit = site.Protection.RateLimit,
            Cors = cors,
            ErrorDocuments = errorDocuments,
        };
    }

    /// <summary>Trims a Cache-Control setting: null when unset; an error when a response header couldn't carry it.</summary>
    private string? ReadCacheControl(string setting, string? value, string example)
    {
        string? trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (trimmed is not null && (!System.Text.Ascii.IsValid(trimmed) || TextRules.HasControlCharacter(trimmed)))
        {
            _errors.Add($"{setting} must be printable ASCII, such as '{example}'.");
        }

        return trimmed;
    }

    private CacheRule[] BuildCacheRules(string path, List<CacheRuleOptions> rules, string normalisedPrefix)
    {
        var built = new List<CacheRule>(rules.Count);
        for (int i = 0; i < rules.Count; i++)
        {
            string setting = $"{path}:CacheRules:{i}";
            string prefix = rules[i].PathPrefix?.Trim() ?? "";
            if (!prefix.StartsWith('/') || prefix.Contains('?', StringComparison.Ordinal) || prefix.Contains('%', StringComparison.Ordinal)
                || !(prefix.StartsWith(normalisedPrefix + "/", StringComparison.Ordinal) || prefix == normalisedPrefix))
            {
                _errors.Add($"{setting}:PathPrefix '{prefix}' must be a full request path under the site's PathPrefix '{PrefixText(normalisedPrefix)}', written decoded, without '?' or '%', such as '{normalisedPrefix}/latest/'.");
            }
            else if (built.Exists(rule => rule.PathPrefix == prefix))
            {
                _errors.Add($"{setting}:PathPrefix '{prefix}' is given twice: keep one rule per prefix.");
            }

            string? cacheControl = ReadCacheControl($"{setting}:CacheControl", rules[i].CacheControl, "public, max-age=31536000, immutable");
            if (cacheControl is null)
            {
                _errors.Add($"{setting}:CacheControl is required: the Cache-Control of successes under '{prefix}'.");
            }

            built.Add(new CacheRule(prefix, cacheControl ?? ""));
        }

        // Longest first: the first match of a scan is then the longest prefix.
        return [.. built.OrderByDescending(rule => rule.PathPrefix.Length)];
    }

    /// <summary>On a site that restricts access: refuses a Cache-Control that lets a shared cache store the answer.</summary>
    private void CheckProtected(string setting, string? cacheControl)
    {
        if (cacheControl is not null && SharedCacheProblem(cacheControl) is { } problem)
        {
            _errors.Add(
                $"{setting} '{cacheControl}' {problem}, but the site restricts access (Protection: Referers, AllowedNetworks, DeniedNetworks or SignedLinks), "
                + "and a shared cache in front (a CDN, nginx proxy_cache, Varnish) would serve the protected response to anyone. Use 'private, max-age=N' or 'no-store', "
                + "or leave CacheControl unset (protected responses then carry 'private'). To cache behind a CDN, enforce the protection at the CDN, remove it here "
                + "and set Protection:OriginSecret:Header and :Values so that only the CDN reaches the gateway: a site whose only protection is an origin secret may send 'public'.");
        }
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
                if (!HostPattern.IsValid(referer))
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

        (string? originHeader, byte[][] originHashes) = BuildOriginSecret(path + ":OriginSecret", protection.OriginSecret);
        return allowed.Length == 0 && denied.Length == 0 && referers is null && secrets.Length == 0 && originHeader is null
            ? SiteProtection.None
            : new SiteProtection(allowed, denied, referers, protection.Referers?.AllowEmpty ?? true, secrets, originHeader, originHashes);
    }

    private (string? Header, byte[][] Hashes) BuildOriginSecret(string path, OriginSecretOptions? options)
    {
        if (options is null || (string.IsNullOrWhiteSpace(options.Header) && options.Values.Count == 0))
        {
            return (null, []);
        }

        string header = options.Header?.Trim() ?? "";
        if (header.Length == 0)
        {
            _errors.Add($"{path}:Header is required with Values: name the header the CDN sends, such as X-Origin-Secret.");
        }
        else if (!IsHeaderName(header))
        {
            _errors.Add($"{path}:Header '{header}' is not a header name: use letters, digits and '-', such as X-Origin-Secret.");
        }
        else if (Array.Exists(Responses.DownloadHeaders.ForwardedRequestHeaders, h => h.Equals(header, StringComparison.OrdinalIgnoreCase))
            || header.Equals("Host", StringComparison.OrdinalIgnoreCase))
        {
            // Those are forwarded to the store or route the request: the secret must be a header of its own.
            _errors.Add($"{path}:Header '{header}' is a header the gateway uses or forwards: pick a name of its own, such as X-Origin-Secret.");
        }

        if (options.Values.Count == 0)
        {
            _errors.Add($"{path}:Values is empty: give at least one value, the one the CDN sends (two while rotating it).");
        }

        for (int i = 0; i < options.Values.Count; i++)
        {
            if (options.Values[i] is not { Length: >= 16 } value || value.Trim().Length != value.Length)
            {
                _errors.Add($"{path}:Values:{i} is shorter than 16 characters or has surrounding white space: use a random value of 32 characters or more.");
            }
        }

        byte[][] hashes = [.. options.Values.Select(value => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value ?? "")))];
        return (header, hashes);
    }

    /// <summary>An RFC 9110 token: what a header name may be.</summary>
    private static bool IsHeaderName(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
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

    private static string PrefixText(string normalisedPrefix) => normalisedPrefix.Length == 0 ? "/" : normalisedPrefix;

}
