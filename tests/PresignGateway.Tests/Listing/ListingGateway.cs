using System.Net.Http.Json;
using System.Text.Json;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Listing;

/// <summary>
/// A gateway with directory sites on the three test stores (OSS V4, OSS V1, S3), every key under a prefix of its own
/// run so other tests' objects never show: per store a listing site (page size 1000, index.html, append-slash) and
/// a small-page twin (250); on S3 also a redirect-mode site, a signed-link site, a cached site, an empty-root site
/// and a site with the features off.
/// </summary>
public sealed class ListingGateway(TestStore store) : IAsyncLifetime
{
    public const string LinkSecret = "fake-listing-link-secret-0001";
    public const int SmallPage = 250;

    /// <summary>The listing cache's budget: small, so a flood test fills it.</summary>
    public const long ListingBudget = 256 * 1024;

    public string Run { get; } = $"listing-{Guid.NewGuid():N}";

    internal GatewayHost Host { get; private set; } = null!;

    public TestStore Store => store;

    public static string Site(StoreKind kind) => "/list-" + kind;

    public static string SmallSite(StoreKind kind) => "/small-" + kind;

    /// <summary>A listing site on the virtual-hosted store of <paramref name="kind"/>, two entries a page.</summary>
    public static string VirtualHostedSite(StoreKind kind) => "/vlist-" + kind;

    /// <summary>The key of <paramref name="relative"/> under the run's prefix (every site's KeyPrefix).</summary>
    public string Key(string relative) => $"{Run}/{relative}";

    public async ValueTask InitializeAsync()
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            string storeName = kind switch { StoreKind.OssV4 => "oss4", StoreKind.OssV1 => "oss1", _ => "s3" };
            AddSite(settings, "list-" + kind, Site(kind), storeName, new() { ["Listing"] = "On", ["IndexDocument"] = "index.html", ["AppendSlash"] = "true" });
            AddSite(settings, "small-" + kind, SmallSite(kind), storeName, new() { ["Listing"] = "On", ["ListingPageSize"] = SmallPage.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        // Virtual-hosted twins (bucket in the Host, canonical path '/'), with two entries a page so tokens are used.
        foreach ((string key, string? value) in TestSites.VirtualHostedSettings(store))
        {
            if (key.StartsWith("Gateway:Stores:", StringComparison.Ordinal))
            {
                settings[key] = value;
            }
        }

        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            string storeName = "vh-" + (kind switch { StoreKind.OssV4 => "oss4", StoreKind.OssV1 => "oss1", _ => "s3" });
            AddSite(settings, "vlist-" + kind, VirtualHostedSite(kind), storeName, new() { ["Listing"] = "On", ["ListingPageSize"] = "2", ["AppendSlash"] = "true" });
        }

        settings["Gateway:Cache:ListingMaxBytes"] = ListingBudget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AddSite(settings, "redirect", "/list-redirect", "s3", new() { ["Mode"] = "Redirect", ["Listing"] = "On", ["IndexDocument"] = "index.html", ["AppendSlash"] = "true" });
        AddSite(settings, "signed", "/list-signed", "s3", new() { ["Listing"] = "On", ["AppendSlash"] = "true", ["Protection:SignedLinks:Secrets:0"] = LinkSecret });
        AddSite(settings, "cached", "/list-cached", "s3", new() { ["Listing"] = "On", ["ListingCacheDuration"] = "00:05:00" });
        AddSite(settings, "empty", "/list-empty", "s3", new() { ["Listing"] = "On", ["KeyPrefix"] = $"{Run}-nothing-here/" });
        AddSite(settings, "off", "/list-off", "s3", []);
        Host = await GatewayHost.StartAsync(settings);
    }

    private readonly Lock _onceLock = new();
    private Task? _once;

    /// <summary>Runs <paramref name="seed"/> the first time only (the 2,500 paging objects); later callers wait for it.</summary>
    public Task OnceAsync(Func<Task> seed)
    {
        lock (_onceLock)
        {
            return _once ??= seed();
        }
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Creates the objects under the run's prefix in every store's bucket (or the one given), fast.</summary>
    public async Task PutAsync(IEnumerable<(string Key, string Body)> objects, StoreKind? only = null, bool virtualHosted = false)
    {
        var items = objects.Select(o => new { key = Key(o.Key), body = o.Body }).ToArray();
        foreach (StoreKind kind in only is { } one ? [one] : Enum.GetValues<StoreKind>())
        {
            string bucket = virtualHosted ? TestSites.VirtualHostedBucket(kind) : TestSites.Bucket(kind);
            using HttpResponseMessage response = await store.Admin.PostAsJsonAsync($"/__store/objects:batch?bucket={bucket}", items);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>The ListObjectsV2 requests the store received whose prefix is <paramref name="prefix"/>.</summary>
    public async Task<int> ListRequestsAsync(string prefix)
    {
        List<RecordedRequest> all = await store.Admin.GetFromJsonAsync<List<RecordedRequest>>("/__store/requests", TestStore.JsonOptions) ?? [];
        return all.Count(r => r.Other is { } other
            && other.TryGetValue("operation", out JsonElement op) && op.GetString() == "ListObjectsV2"
            && other.TryGetValue("query", out JsonElement query) && query.TryGetProperty("prefix", out JsonElement p) && p.GetString() == prefix);
    }

    private void AddSite(Dictionary<string, string?> settings, string name, string prefix, string storeName, Dictionary<string, string> extra)
    {
        string path = $"Gateway:Sites:{name}:";
        settings[path + "Hosts:0"] = "127.0.0.1";
        settings[path + "PathPrefix"] = prefix;
        settings[path + "Store"] = storeName;
        settings[path + "KeyPrefix"] = Run + "/";
        settings[path + "ListingCacheDuration"] = "00:00:00";
        foreach ((string key, string value) in extra)
        {
            settings[path + key] = value;
        }
    }
}
