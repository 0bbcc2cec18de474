namespace PresignGateway.Signing;

/// <summary>The names and rules in which V4 query signing (OSS V4, S3 SigV4) differs by provider; everything else is shared.</summary>
internal sealed class V4Dialect
{
    /// <summary><c>OSS4-HMAC-SHA256</c> or <c>AWS4-HMAC-SHA256</c>.</summary>
    public required string Algorithm { get; init; }

    public required string AlgorithmParameter { get; init; }

    public required string CredentialParameter { get; init; }

    public required string DateParameter { get; init; }

    public required string ExpiresParameter { get; init; }

    public required string SecurityTokenParameter { get; init; }

    public required string SignatureParameter { get; init; }

    /// <summary>S3 lists the signed headers (<c>host</c>) in the query; OSS leaves additional headers out for downloads.</summary>
    public string? SignedHeadersParameter { get; init; }

    /// <summary>Names the provider reserves besides the ones above (OSS: <c>x-oss-additional-headers</c>).</summary>
    public string[] OtherReservedNames { get; init; } = [];

    /// <summary>The first input of the signing-key chain, before the secret: <c>aliyun_v4</c> or <c>AWS4</c>.</summary>
    public required string SecretPrefix { get; init; }

    /// <summary>The scope's service: <c>oss</c> or <c>s3</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The scope's terminator: <c>aliyun_v4_request</c> or <c>aws4_request</c>.</summary>
    public required string Terminator { get; init; }

    /// <summary>OSS always signs <c>/bucket/key</c>; S3 signs the URL path as sent.</summary>
    public required bool CanonicalUriAlwaysHasBucket { get; init; }

    /// <summary>S3 signs <c>host</c>; the OSS download form signs no header.</summary>
    public required bool SignsHost { get; init; }

    /// <summary>OSS writes an empty value as <c>name</c>, S3 as <c>name=</c>.</summary>
    public required bool EqualsForEmptyValue { get; init; }

    /// <summary>The scope after the region, <c>/service/terminator</c>.</summary>
    public string ScopeSuffix => $"/{Service}/{Terminator}";

    /// <summary>The parameters the signer writes itself; a caller may not give them (compared case-insensitively).</summary>
    public string[] ReservedNames()
        => [AlgorithmParameter, CredentialParameter, DateParameter, ExpiresParameter, SecurityTokenParameter, SignatureParameter,
            .. SignedHeadersParameter is null ? [] : new[] { SignedHeadersParameter }, .. OtherReservedNames];
}
