namespace PresignGateway.Configuration;

/// <summary>
/// <c>Gateway:Stores:name:Credentials</c>: where the store's keys come from and how they are refreshed. Each setting
/// left empty falls back to the environment variable the provider's SDKs read (README, "Credentials").
/// </summary>
internal sealed class CredentialOptions
{
    /// <summary>A <see cref="CredentialSourceKind"/> name, any case; empty is Auto. Kept as text so a typo is reported with every other problem.</summary>
    public string? Source { get; set; }

    /// <summary>EcsRamRole, Imds: the role whose credentials to read; empty asks the metadata service.</summary>
    public string? RoleName { get; set; }

    /// <summary>EcsRamRole, Imds: <c>http://host[:port]</c> of the metadata service.</summary>
    public string? MetadataEndpoint { get; set; }

    /// <summary>Oidc, WebIdentity, AssumeRole: the role to assume.</summary>
    public string? RoleArn { get; set; }

    /// <summary>Oidc: the RAM OIDC identity provider.</summary>
    public string? OidcProviderArn { get; set; }

    /// <summary>Oidc, WebIdentity: the projected service-account token, read again at every refresh.</summary>
    public string? OidcTokenFile { get; set; }

    /// <summary>AssumeRole: the external id the role's trust policy asks for.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Oidc, AssumeRole (OSS): a session policy narrowing the role.</summary>
    public string? Policy { get; set; }

    /// <summary>CredentialsUri: the URL; Container: the full URI (else <c>AWS_CONTAINER_CREDENTIALS_*</c>).</summary>
    public string? CredentialsUri { get; set; }

    /// <summary>Oidc, WebIdentity, AssumeRole: the STS endpoint.</summary>
    public string? StsEndpoint { get; set; }

    public string? RoleSessionName { get; set; }

    /// <summary>Oidc, WebIdentity, AssumeRole: the life of each session asked for.</summary>
    public int DurationSeconds { get; set; } = 3600;

    /// <summary>How long before their expiry credentials are refreshed (half their life when that is shorter).</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(15);
}
