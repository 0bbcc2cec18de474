namespace PresignGateway.Configuration;

internal sealed class AliasOptions
{
    public string? Key { get; set; }

    public string? FileName { get; set; }

    public string? VersionId { get; set; }
}
