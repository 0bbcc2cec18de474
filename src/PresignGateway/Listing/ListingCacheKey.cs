using PresignGateway.Stores;

namespace PresignGateway.Listing;

/// <summary>
/// What a cached listing answer is for: the site, the store of the configuration in force (a reload starts afresh),
/// what was asked (a page, an index document, a probe) and of which prefix, and the store's token for pages after the first.
/// </summary>
internal readonly record struct ListingCacheKey(string Site, Store Store, ListingQuestion Question, string Prefix, string? Token)
{
    /// <summary>The strings' bytes and the key's fields: what the cache charges for the key.</summary>
    public long Cost => 48 + ListingPage.StringCost(Prefix) + ListingPage.StringCost(Token);
}
