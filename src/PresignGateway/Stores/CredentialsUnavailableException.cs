namespace PresignGateway.Stores;

/// <summary>A store's credential source has no keys yet (or only expired ones): requests for it get a 503, never a 500.</summary>
internal sealed class CredentialsUnavailableException(string source) : Exception($"The credentials from {source} are not available yet.")
{
}
