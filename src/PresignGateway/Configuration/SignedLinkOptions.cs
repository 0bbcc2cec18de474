namespace PresignGateway.Configuration;

internal sealed class SignedLinkOptions
{
    /// <summary>Every secret that verifies a link; the first one signs. Several at once allow rotation.</summary>
    public List<string> Secrets { get; init; } = [];
}
