namespace PresignGateway.Sites;

/// <summary>A fixed link: <c>/latest/app.zip</c> -> a key, optionally a version and a download name.</summary>
internal sealed record SiteAlias(string Key, string? FileName, string? VersionId);
