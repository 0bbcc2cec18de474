namespace PresignGateway.Signing;

/// <summary>The environment variables a provider's official SDKs read static keys from.</summary>
public sealed record CredentialVariables(string AccessKeyId, string AccessKeySecret, string SecurityToken);
