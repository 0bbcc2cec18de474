using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>The names and rules in which OSS V4 and S3 SigV4 query signing differ; everything else is shared.</summary>
internal sealed class V4Dialect
{
    public required string SchemeName { get; init; }

    public required byte[] Algorithm { get; init; }

    public required string AlgorithmParameter { get; init; }

    public required string CredentialParameter { get; init; }

    public required string DateParameter { get; init; }

    public required string ExpiresParameter { get; init; }

    public required string SecurityTokenParameter { get; init; }

    public required byte[] SignatureParameter { get; init; }

    /// <summary>S3 lists the signed headers (<c>host</c>) in the query; OSS leaves additional headers out for downloads.</summary>
    public string? SignedHeadersParameter { get; init; }

    /// <summary>The scope suffix after the region: <c>/oss/aliyun_v4_request</c> or <c>/s3/aws4_request</c>.</summary>
    public required byte[] ScopeSuffix { get; init; }

    /// <summary>The parameters the signer writes itself; a caller may not give them (compared case-insensitively).</summary>
    public required string[] ReservedNames { get; init; }

    /// <summary>OSS always signs <c>/bucket/key</c>; S3 signs the URL path as sent.</summary>
    public required bool CanonicalUriAlwaysHasBucket { get; init; }

    /// <summary>S3 signs <c>host</c>; the OSS download form signs no header.</summary>
    public required bool SignsHost { get; init; }

    /// <summary>OSS writes an empty value as <c>name</c>, S3 as <c>name=</c>.</summary>
    public required bool EqualsForEmptyValue { get; init; }

    public required bool OssKeyRules { get; init; }

    public required SigningKeyCache KeyCache { get; init; }
}
