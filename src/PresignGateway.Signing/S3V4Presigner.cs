using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// AWS SigV4 query presign (<c>AWS4-HMAC-SHA256</c>) for S3 and S3-compatible stores: the URL path is signed as sent
/// (encoded once, never normalised) and so is the <c>host</c>, so each addressing style has its own signature.
/// </summary>
public sealed class S3V4Presigner : IUrlPresigner
{
    private readonly V4QuerySigner _signer = new(new V4Dialect
    {
        SchemeName = "S3 SigV4",
        Algorithm = "AWS4-HMAC-SHA256"u8.ToArray(),
        AlgorithmParameter = "X-Amz-Algorithm",
        CredentialParameter = "X-Amz-Credential",
        DateParameter = "X-Amz-Date",
        ExpiresParameter = "X-Amz-Expires",
        SecurityTokenParameter = "X-Amz-Security-Token",
        SignatureParameter = "X-Amz-Signature"u8.ToArray(),
        SignedHeadersParameter = "X-Amz-SignedHeaders",
        ScopeSuffix = Encoding.ASCII.GetBytes("/s3/aws4_request"),
        ReservedNames =
        [
            "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
            "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
        ],
        CanonicalUriAlwaysHasBucket = false,
        SignsHost = true,
        EqualsForEmptyValue = true,
        OssKeyRules = false,
        KeyCache = new SigningKeyCache("AWS4", "s3", "aws4_request"),
    });

    public SigningScheme Scheme => SigningScheme.S3V4;

    public PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime)
        => _signer.Presign(location, request, credentials, signingTime);
}
