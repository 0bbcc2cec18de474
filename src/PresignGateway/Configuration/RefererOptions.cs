namespace PresignGateway.Configuration;

internal sealed class RefererOptions
{
    /// <summary>Host names: <c>example.com</c>, <c>*.example.com</c> or <c>*</c>.</summary>
    public List<string> Allowed { get; init; } = [];

    /// <summary>Whether a request without a Referer (direct download, curl, privacy settings) is served.</summary>
    public bool AllowEmpty { get; set; } = true;
}
