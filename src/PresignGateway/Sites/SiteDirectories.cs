using PresignGateway.Configuration;

namespace PresignGateway.Sites;

/// <summary>
/// What a site does with a directory (a path ending in '/') and with a missing object's path: index document, listing,
/// append-slash. Null on a site where all three are off, so such a site treats a directory path as it always did.
/// </summary>
internal sealed class SiteDirectories
{
    public const int MaxPageSize = 1000;

    public required bool Listing { get; init; }

    /// <summary>The object name served for a directory that holds it, or null.</summary>
    public required string? IndexDocument { get; init; }

    public required bool AppendSlash { get; init; }

    public required int PageSize { get; init; }

    public required TimeSpan CacheDuration { get; init; }

    /// <summary>Reads the settings, adding every problem to <paramref name="errors"/>; null when all are off or one is wrong.</summary>
    public static SiteDirectories? Build(string path, SiteOptions site, ICollection<string> errors)
    {
        int before = errors.Count;
        ListingMode? listing = EnumSetting.Parse<ListingMode>(site.Listing, $"{path}:Listing", required: false, errors);
        string? index = string.IsNullOrWhiteSpace(site.IndexDocument) ? null : site.IndexDocument.Trim();
        if (index is not null && (index.Contains('/', StringComparison.Ordinal) || index is "." or ".." || ObjectKeyRules.Check(index) is not null))
        {
            errors.Add($"{path}:IndexDocument '{site.IndexDocument}' must be an object name without '/' or control characters, such as index.html.");
        }

        if (site.ListingPageSize is < 1 or > MaxPageSize)
        {
            errors.Add($"{path}:ListingPageSize is {site.ListingPageSize}: use 1 to {MaxPageSize} (the stores return at most {MaxPageSize} keys a page).");
        }

        if (site.ListingCacheDuration < TimeSpan.Zero || site.ListingCacheDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{path}:ListingCacheDuration is {site.ListingCacheDuration}: use a time span from 00:00:00 (no caching) to 1.00:00:00, such as 00:00:10.");
        }

        if (errors.Count != before || (listing != ListingMode.On && index is null && !site.AppendSlash))
        {
            return null;
        }

        return new SiteDirectories
        {
            Listing = listing == ListingMode.On,
            IndexDocument = index,
            AppendSlash = site.AppendSlash,
            PageSize = site.ListingPageSize,
            CacheDuration = site.ListingCacheDuration,
        };
    }
}
