namespace PresignGateway.Stores;

/// <summary>
/// Where a store's keys come from. <see cref="Current"/> is read at every signing, so it never blocks and never does
/// I/O: a source that refreshes (STS, instance metadata) does so in the background and swaps in a new set.
/// </summary>
internal interface ICredentialSource
{
    /// <summary>The keys in force now.</summary>
    StoreCredentials Current { get; }

    /// <summary>Where the keys come from, for messages: never a key, a secret or a token.</summary>
    string Description { get; }
}
