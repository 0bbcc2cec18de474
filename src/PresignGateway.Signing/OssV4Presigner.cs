using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Alibaba Cloud OSS signature V4 query presign (<c>OSS4-HMAC-SHA256</c>): canonical URI <c>/bucket/key</c> whatever the
/// addressing, no signed headers, lifetime 1 s to 7 days (12 h with an STS token).
/// </summary>
public sealed class OssV4Presigner : IUrlPresigner
{
    private readonly V4QuerySigner _signer = new(new V4Dialect
    {
        SchemeName = "OSS V4",
        Algorithm = "OSS4-HMAC-SHA256"u8.ToArray(),
        AlgorithmParameter = "x-oss-signature-version",
        CredentialParameter = "x-oss-credential",
        DateParameter = "x-oss-date",
        ExpiresParameter = "x-oss-expires",
        SecurityTokenParameter = "x-oss-security-token",
        SignatureParameter = "x-oss-signature"u8.ToArray(),
        ScopeSuffix = Encoding.ASCII.GetBytes("/oss/aliyun_v4_request"),
        ReservedNames =
        [
            "x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-expires",
            "x-oss-security-token", "x-oss-additional-headers", "x-oss-signature",
        ],
        CanonicalUriAlwaysHasBucket = true,
        SignsHost = false,
        EqualsForEmptyValue = false,
        OssKeyRules = true,
        KeyCache = new SigningKeyCache("aliyun_v4", "oss", "aliyun_v4_request"),
    });

    public SigningScheme Scheme => SigningScheme.OssV4;

    public PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime)
        => _signer.Presign(location, request, credentials, signingTime);
}
