namespace PresignGateway.Signing;

/// <summary>The HTTP method a URL is signed for; a URL signed for one fails for the other.</summary>
public enum PresignMethod
{
    Get,
    Head,
}
