namespace PresignGateway.Signing;

/// <summary>Creates the presigner for a scheme.</summary>
public static class UrlPresigners
{
    public static IUrlPresigner Create(SigningScheme scheme) => scheme switch
    {
        SigningScheme.OssV4 => new OssV4Presigner(),
        SigningScheme.OssV1 => new OssV1Presigner(),
        SigningScheme.S3V4 => new S3V4Presigner(),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown signing scheme."),
    };
}
