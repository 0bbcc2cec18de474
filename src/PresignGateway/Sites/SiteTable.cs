using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.Features;
using PresignGateway.Stores;

namespace PresignGateway.Sites;

/// <summary>
/// Immutable routing table from host and path to a site. Exact hosts beat wildcards (<c>*.example.com</c>, longest
/// suffix first), which beat <c>*</c>; within a host tier the longest path prefix wins, and a tier with no matching
/// prefix falls through to the next. A reload builds a new table and swaps it whole.
/// </summary>
internal sealed class SiteTable
{
    private readonly FrozenDictionary<string, Site[]> _exactHosts;
    private readonly (string Wildcard, Site[] Sites)[] _wildcardHosts;
    private readonly Site[] _anyHost;

    public SiteTable(IReadOnlyList<Site> sites, IReadOnlyList<(string HostPattern, Site Site)> bindings)
    {
        Sites = sites;
        Stores = [.. sites.Select(site => site.Store).Distinct()];
        var exact = new Dictionary<string, List<Site>>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, List<Site>>(StringComparer.OrdinalIgnoreCase);
        var any = new List<Site>();
        foreach ((string pattern, Site site) in bindings)
        {
            if (pattern == HostPattern.Any)
            {
                any.Add(site);
            }
            else if (HostPattern.IsWildcard(pattern))
            {
                Add(wildcard, pattern, site);
            }
            else
            {
                Add(exact, pattern, site);
            }
        }

        _exactHosts = exact.ToFrozenDictionary(e => e.Key, e => ByLongestPrefix(e.Value), StringComparer.OrdinalIgnoreCase);
        _wildcardHosts = [.. wildcard.OrderByDescending(w => w.Key.Length).Select(w => (w.Key, ByLongestPrefix(w.Value)))];
        _anyHost = ByLongestPrefix(any);
    }

    public IReadOnlyList<Site> Sites { get; }

    /// <summary>The stores the sites use, each once.</summary>
    public IReadOnlyList<Store> Stores { get; }

    /// <summary>True when some site answers this host, whatever the path: a 404 then, rather than a 421.</summary>
    public bool ServesHost(string host)
    {
        if (_anyHost.Length > 0 || _exactHosts.ContainsKey(host))
        {
            return true;
        }

        foreach ((string wildcard, _) in _wildcardHosts)
        {
            if (HostPattern.MatchesWildcard(wildcard, host))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Finds the site for a host (without port) and a decoded path, or null.</summary>
    public Site? Match(string host, string path)
    {
        if (_exactHosts.TryGetValue(host, out Site[]? exact) && FirstMatch(exact, path) is { } site)
        {
            return site;
        }

        foreach ((string wildcard, Site[] sites) in _wildcardHosts)
        {
            if (HostPattern.MatchesWildcard(wildcard, host) && FirstMatch(sites, path) is { } wildcardSite)
            {
                return wildcardSite;
            }
        }

        return FirstMatch(_anyHost, path);
    }

    /// <summary>
    /// The site of a request from its raw target, decoded once, the way a download finds it; null when none serves it
    /// or the path doesn't decode. For the answers outside the download's own resolution (a preflight, an error page).
    /// </summary>
    public Site? Match(HttpContext context)
    {
        string rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        return RequestPath.TryDecode(RequestPath.PathOf(rawTarget), out string path, out _) && path.StartsWith('/')
            ? Match(context.Request.Host.Host, path)
            : null;
    }

    private static Site? FirstMatch(Site[] sites, string path)
    {
        foreach (Site site in sites)
        {
            if (site.MatchesPath(path))
            {
                return site;
            }
        }

        return null;
    }

    private static Site[] ByLongestPrefix(List<Site> sites) => [.. sites.OrderByDescending(s => s.PathPrefix.Length)];

    private static void Add(Dictionary<string, List<Site>> map, string key, Site site)
    {
        if (!map.TryGetValue(key, out List<Site>? list))
        {
            map[key] = list = [];
        }

        list.Add(site);
    }
}
