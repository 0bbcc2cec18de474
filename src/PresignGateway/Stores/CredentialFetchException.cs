namespace PresignGateway.Stores;

/// <summary>
/// A credential source's answer that is not credentials: unreachable, a non-200, a body without keys, an expired
/// set. The message is one short sentence for the log and readiness: never a key, a secret, a token or a URL path.
/// </summary>
internal sealed class CredentialFetchException(string reason) : Exception(reason)
{
}
