namespace PresignGateway.Configuration;

/// <summary>Where a store's keys come from (<c>Gateway:Stores:name:Credentials:Source</c>); which ones a store accepts depends on its provider.</summary>
internal enum CredentialSourceKind
{
    /// <summary>The provider's SDK chain: static keys, then the sources the environment points at, then instance metadata.</summary>
    Auto,

    /// <summary>Long-term (or fixed temporary) keys from the settings, the environment or the secrets directory.</summary>
    Static,

    /// <summary>OSS: the ECS instance's RAM role, from the metadata service in hardened mode.</summary>
    EcsRamRole,

    /// <summary>OSS: ACK RRSA, STS AssumeRoleWithOIDC with a projected token file.</summary>
    Oidc,

    /// <summary>OSS: Alibaba STS AssumeRole; S3: AWS STS AssumeRole. Signed with the static keys.</summary>
    AssumeRole,

    /// <summary>OSS: <c>ALIBABA_CLOUD_CREDENTIALS_URI</c>, a URL that returns the metadata document.</summary>
    CredentialsUri,

    /// <summary>S3: EC2 IMDSv2.</summary>
    Imds,

    /// <summary>S3: the ECS task role or EKS Pod Identity container endpoint.</summary>
    Container,

    /// <summary>S3: EKS IRSA, STS AssumeRoleWithWebIdentity with a projected token file.</summary>
    WebIdentity,
}
