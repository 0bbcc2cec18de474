namespace PresignGateway.Signing;

/// <summary>
/// Whose cloud's conventions a provider's credentials follow: the environment variables, metadata services and STS
/// its official SDKs use. The gateway's credential sources are listed per family, never per signing scheme.
/// </summary>
public enum CredentialFamily
{
    /// <summary>Alibaba Cloud: ECS RAM roles, RRSA (OIDC), Alibaba STS, <c>ALIBABA_CLOUD_*</c>.</summary>
    Alibaba,

    /// <summary>AWS and S3-compatible stores: IMDSv2, the container endpoint, IRSA, AWS STS, <c>AWS_*</c>.</summary>
    Aws,
}
