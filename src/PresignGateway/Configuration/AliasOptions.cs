namespace PresignGateway.Configuration;

internal sealed class AliasOptions
{
    public string? Key { get; set; }

    public string? FileName { get; set; }

    public string? VersionId { get; set; }

    /// <summary>The alias's own Cache-Control on success: wins over CacheRules and the site's CacheControl.</summary>
    public string? CacheControl { get; set; }
}
