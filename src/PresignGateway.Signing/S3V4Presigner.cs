namespace PresignGateway.Signing;

/// <summary>
/// AWS SigV4 query presign (<c>AWS4-HMAC-SHA256</c>) for S3 and S3-compatible stores: the URL path is signed as sent
/// (encoded once, never normalised) and so is the <c>host</c>, so each addressing style has its own signature.
/// </summary>
public sealed class S3V4Presigner : IUrlPresigner
{
    // Before Descriptor: static fields initialise in order.
    private static readonly V4Dialect Dialect = new()
    {
        Algorithm = "AWS4-HMAC-SHA256",
        AlgorithmParameter = "X-Amz-Algorithm",
        CredentialParameter = "X-Amz-Credential",
        DateParameter = "X-Amz-Date",
        ExpiresParameter = "X-Amz-Expires",
        SecurityTokenParameter = "X-Amz-Security-Token",
        SignatureParameter = "X-Amz-Signature",
        SignedHeadersParameter = "X-Amz-SignedHeaders",
        SecretPrefix = "AWS4",
        Service = "s3",
        Terminator = "aws4_request",
        CanonicalUriAlwaysHasBucket = false,
        SignsHost = true,
        EqualsForEmptyValue = true,
    };

    private readonly V4QuerySigner _signer = new(Descriptor, Dialect);

    public static StoreProvider Descriptor { get; } = new()
    {
        Scheme = SigningScheme.S3V4,
        CommandLineName = "s3-v4",
        StoreKind = "S3",
        // SigV4 caps every presigned URL at 7 days, with or without a session token.
        MaxLifetime = TimeSpan.FromDays(7),
        MaxLifetimeWithToken = TimeSpan.FromDays(7),
        BucketNameMayContainDots = true,
        KeyMayStartWithSlash = true,
        Overrides = new OverrideQueryNames("response-content-disposition", "versionId", ImageProcess: null),
        CredentialVariables = new CredentialVariables("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
        CredentialFamily = CredentialFamily.Aws,
        V4 = Dialect,
        PresignerFactory = static () => new S3V4Presigner(),
    };

    public SigningScheme Scheme => Descriptor.Scheme;

    public PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime)
        => _signer.Presign(location, request, credentials, signingTime);
}
