using Microsoft.AspNetCore.Http;
using PresignGateway.Protection;

namespace PresignGateway.Listing;

/// <summary>
/// On a site with signed links: signs the links of a listing with the site's first secret, for the client's host and
/// until the listing's own link expires, so the links work for as long as the page's did and no longer.
/// </summary>
internal sealed class ListingLinkSigner(byte[] secret, string host, long expiresAt)
{
    /// <summary>The <c>expires=...&amp;sig=...</c> for <paramref name="decodedPath"/>.</summary>
    public string QueryFor(string decodedPath) => LinkSignature.QueryFor(secret, host, decodedPath, expiresAt, QueryCollection.Empty);
}
