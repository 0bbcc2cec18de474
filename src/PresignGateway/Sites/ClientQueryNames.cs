namespace PresignGateway.Sites;

/// <summary>
/// The query parameters a client may add to a download link, named once for the resolver, the site builder and the
/// signed-link MAC. They are the gateway's own names; what the store is sent is the provider's (OverrideQueryNames).
/// </summary>
internal static class ClientQueryNames
{
    public const string VersionId = "versionId";
    public const string ImageProcess = "x-oss-process";
    public const string FileName = "filename";

    /// <summary>Comes with <see cref="FileName"/>: forces an attachment.</summary>
    public const string Download = "download";

    public const string Inline = "inline";

    /// <summary>What a site may list in <c>AllowedQuery</c>.</summary>
    public static readonly string[] Allowable = [VersionId, ImageProcess, FileName, Inline];
}
