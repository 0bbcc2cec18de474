using PresignGateway.Configuration;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>Turns one <c>Gateway:Stores:name</c> section into a <see cref="Store"/>, reporting every problem with its setting's path.</summary>
internal static class StoreBuilder
{
    /// <summary>The store, or null with its problems added to <paramref name="errors"/>.</summary>
    /// <param name="configuration">Where credentials that the store leaves empty come from (OSS_ACCESS_KEY_ID, ...).</param>
    /// <param name="reuseCredentials">Hands back a running credential source whose settings a reload left unchanged; null builds fresh ones.</param>
    public static Store? TryBuild(
        string name, StoreOptions store, IConfiguration configuration, ICollection<string> errors, Func<RefreshingCredentialSource, RefreshingCredentialSource>? reuseCredentials = null)
    {
        string path = $"Gateway:Stores:{name}";
        int errorsBefore = errors.Count;
        StoreProvider? provider = EnumSetting.Parse<SigningScheme>(store.Provider, $"{path}:Provider", required: true, errors) is { } scheme
            ? StoreProviders.Get(scheme)
            : null;
        AddressingStyle? addressing = EnumSetting.Parse<AddressingStyle>(store.Addressing, $"{path}:Addressing", required: false, errors);

        BucketLocation? location = null;
        if (string.IsNullOrWhiteSpace(store.Endpoint) || string.IsNullOrWhiteSpace(store.Region) || string.IsNullOrWhiteSpace(store.Bucket))
        {
            foreach ((string setting, string? value) in new[] { ("Endpoint", store.Endpoint), ("Region", store.Region), ("Bucket", store.Bucket) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    errors.Add($"{path}:{setting} is required.");
                }
            }
        }
        else if (addressing is { } style)
        {
            IReadOnlyList<InvalidPresignRequestException> problems = BucketLocation.Validate(store.Endpoint, store.Region, store.Bucket, style);
            foreach (InvalidPresignRequestException problem in problems)
            {
                errors.Add($"{path}:{Capitalise(problem.ParamName)}: {problem.Reason}");
            }

            location = problems.Count == 0 ? BucketLocation.Create(store.Endpoint, store.Region, store.Bucket, style) : null;
        }

        if (provider is not null && store.Bucket is not null && provider.BucketProblem(store.Bucket) is { } bucketProblem)
        {
            errors.Add($"{path}:Bucket: {bucketProblem}");
        }

        // With an unknown provider the first provider's variable names stand in, so missing keys are still reported in the same pass.
        ICredentialSource? credentials = CredentialSourceFactory.Create(name, path, store, provider ?? StoreProviders.All[0], configuration, reuseCredentials, errors);
        if (provider is not null)
        {
            // Temporary keys always come with a token; static ones only when one is set.
            bool withToken = credentials switch
            {
                null => false,
                StaticCredentialSource staticKeys => staticKeys.Current.Credentials.SecurityToken is not null,
                _ => true,
            };
            if (!provider.IsLifetimeAllowed(store.UrlLifetime, withToken))
            {
                errors.Add($"{path}:UrlLifetime is {store.UrlLifetime}: it must be {provider.LifetimeRule(withToken)}.");
            }
        }

        return errors.Count == errorsBefore && provider is not null && location is not null && credentials is not null
            ? new Store(name, provider, location, credentials, store.UrlLifetime)
            : null;
    }

    private static string Capitalise(string? parameter) => string.IsNullOrEmpty(parameter) ? "Store" : char.ToUpperInvariant(parameter[0]) + parameter[1..];
}
