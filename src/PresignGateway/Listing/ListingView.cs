namespace PresignGateway.Listing;

/// <summary>What a listing page shows: the directory's request path, the site's root, the entries and the next cursor.</summary>
/// <param name="Path">The decoded request path of the directory, ending in '/'.</param>
/// <param name="Root">The decoded request path of the site's root, ending in '/': the breadcrumb starts there and no parent link goes above it.</param>
/// <param name="Signer">On a site with signed links: signs each link; otherwise null.</param>
internal readonly record struct ListingView(string Path, string Root, ListingPage Page, string? NextCursor, ListingLinkSigner? Signer)
{
    public bool IsRoot => Path.Length <= Root.Length;
}
