using PresignGateway.Configuration;

namespace PresignGateway.Sites;

/// <summary>What a request asks for, once resolved against the sites: the object and how to deliver it.</summary>
/// <param name="Path">The decoded request path, which signed links sign.</param>
/// <param name="InlineByQuery">
/// True when <c>?inline</c>, not the site, made the download inline: it then falls back to attachment for active
/// content, which proxy mode also learns from the store's Content-Type.
/// </param>
/// <param name="Directory">
/// True for a path ending in '/' on a site with <see cref="Site.Directories"/>: <see cref="Key"/> is then the key prefix
/// to list (empty at a bucket's root), never an object.
/// </param>
/// <param name="CacheControl">
/// Of a success: the alias's own, else the longest matching CacheRules prefix's, else the site's; null passes the store's on.
/// </param>
internal readonly record struct DownloadPlan(
    Site Site, string Path, string Key, string FileName, DispositionType Disposition, string? VersionId, string? ImageProcess, bool InlineByQuery = false,
    string? CacheControl = null, bool Directory = false);
