namespace PresignGateway.Signing;

/// <summary>
/// Alibaba Cloud OSS signature V4 query presign (<c>OSS4-HMAC-SHA256</c>): canonical URI <c>/bucket/key</c> whatever the
/// addressing, no signed headers, lifetime 1 s to 7 days (12 h with an STS token).
/// </summary>
public sealed class OssV4Presigner : IUrlPresigner
{
    // Before Descriptor: static fields initialise in order.
    private static readonly V4Dialect Dialect = new()
    {
        Algorithm = "OSS4-HMAC-SHA256",
        AlgorithmParameter = "x-oss-signature-version",
        CredentialParameter = "x-oss-credential",
        DateParameter = "x-oss-date",
        ExpiresParameter = "x-oss-expires",
        SecurityTokenParameter = "x-oss-security-token",
        SignatureParameter = "x-oss-signature",
        OtherReservedNames = ["x-oss-additional-headers"],
        SecretPrefix = "aliyun_v4",
        Service = "oss",
        Terminator = "aliyun_v4_request",
        CanonicalUriAlwaysHasBucket = true,
        SignsHost = false,
        EqualsForEmptyValue = false,
    };

    private readonly V4QuerySigner _signer = new(Descriptor, Dialect);

    public static StoreProvider Descriptor { get; } = new()
    {
        Scheme = SigningScheme.OssV4,
        CommandLineName = "oss-v4",
        StoreKind = "OSS",
        MaxLifetime = TimeSpan.FromDays(7),
        // The longest STS session OSS grants.
        MaxLifetimeWithToken = TimeSpan.FromHours(12),
        BucketNameMayContainDots = false,
        KeyMayStartWithSlash = false,
        Overrides = new OverrideQueryNames("response-content-disposition", "versionId", "x-oss-process"),
        CredentialVariables = new CredentialVariables("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"),
        CredentialFamily = CredentialFamily.Alibaba,
        V4 = Dialect,
        PresignerFactory = static () => new OssV4Presigner(),
    };

    public SigningScheme Scheme => Descriptor.Scheme;

    public PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime)
        => _signer.Presign(location, request, credentials, signingTime);
}
