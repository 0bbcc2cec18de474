namespace PresignGateway.Stores;

/// <summary>One way of getting temporary keys (a metadata service, an STS call); <see cref="RefreshingCredentialSource"/> decides when.</summary>
internal interface ICredentialFetcher
{
    /// <summary>The source's settings name, <c>EcsRamRole</c>, <c>WebIdentity</c>, ...</summary>
    string SourceName { get; }

    /// <summary>The host (and port) asked, for messages: no path, no query, no user info.</summary>
    string EndpointHost { get; }

    /// <summary>Everything the fetcher was built from, hashed: equal when a reload leaves the source as it was.</summary>
    string Fingerprint { get; }

    /// <summary>A new, validated set of keys with its expiry.</summary>
    /// <exception cref="CredentialFetchException">The source answered with something other than valid, unexpired keys, or not at all.</exception>
    Task<StoreCredentials> FetchAsync(CredentialFetchContext context, CancellationToken cancellationToken);
}
