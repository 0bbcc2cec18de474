namespace PresignGateway.Configuration;

/// <summary>
/// A header that only the CDN sends (CloudFront custom origin header, Alibaba CDN back-to-origin header): requests
/// without one of the values are refused, so only the CDN reaches the gateway.
/// </summary>
internal sealed class OriginSecretOptions
{
    /// <summary>The request header that carries the secret, such as <c>X-Origin-Secret</c>.</summary>
    public string? Header { get; set; }

    /// <summary>Every value accepted; more than one while the CDN's value is rotated.</summary>
    public List<string> Values { get; init; } = [];
}
