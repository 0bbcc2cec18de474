namespace PresignGateway.Sites;

/// <summary>A fixed link: <c>/latest/app.zip</c> -> a key, optionally a version, a download name and its own Cache-Control.</summary>
internal sealed record SiteAlias(string Key, string? FileName, string? VersionId, string? CacheControl = null);
