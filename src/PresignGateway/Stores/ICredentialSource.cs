namespace PresignGateway.Stores;

/// <summary>
/// Where a store's keys come from. <see cref="Latest"/> is read once per signing request, so it never blocks and never
/// does I/O: a source that refreshes (STS, instance metadata) does so in the background and swaps in a new set.
/// </summary>
internal interface ICredentialSource
{
    /// <summary>The newest keys, or null while none have been fetched yet. They may have expired: check <see cref="StoreCredentials.Expiration"/>.</summary>
    StoreCredentials? Latest { get; }

    /// <summary>The keys in force now.</summary>
    /// <exception cref="CredentialsUnavailableException">None have been fetched yet.</exception>
    StoreCredentials Current => Latest ?? throw new CredentialsUnavailableException(Description);

    /// <summary>Where the keys come from, for messages: never a key, a secret, a token or an endpoint's path.</summary>
    string Description { get; }

    /// <summary>
    /// A MAC key that every replica configured with this source derives alike and that outlives refreshes: the static
    /// keys' derived key. Null for refreshing sources: each replica holds its own temporary keys, which rotate.
    /// </summary>
    byte[]? StableMacKey => null;

    /// <summary>Why the last refresh failed while it keeps failing, for readiness; null when it succeeded (or never runs).</summary>
    string? Failure => null;
}
