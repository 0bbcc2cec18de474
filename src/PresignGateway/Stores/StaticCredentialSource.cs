using PresignGateway.Configuration;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// Long-lived keys from the store's settings or, when those are empty, from the provider's SDK variables
/// (<c>OSS_ACCESS_KEY_ID</c>, <c>AWS_ACCESS_KEY_ID</c>, ...) as environment variables or secrets-directory files.
/// They change only with the configuration, which builds a new store.
/// </summary>
internal sealed class StaticCredentialSource : ICredentialSource
{
    /// <param name="description">Where the keys were found, for messages; never a key.</param>
    public StaticCredentialSource(Credentials credentials, string description)
    {
        Current = new StoreCredentials(credentials);
        Description = description;
    }

    public StoreCredentials Current { get; }

    public StoreCredentials? Latest => Current;

    public string Description { get; }

    public byte[] StableMacKey => Current.SharedValueKey;

    /// <summary>Reads the keys; null with a problem added (naming the settings to set) when they are missing or unusable.</summary>
    /// <param name="path">The store's settings path, <c>Gateway:Stores:name</c>.</param>
    /// <param name="configuration">Where the variables are looked up: the environment and the secrets directory are configuration sources.</param>
    /// <param name="alternative">Further SDK variables, read when the provider's own are both empty (Alibaba's <c>ALIBABA_CLOUD_*</c>).</param>
    public static StaticCredentialSource? Read(
        string path, StoreOptions store, StoreProvider provider, IConfiguration configuration, ICollection<string> errors, CredentialVariables? alternative = null)
    {
        CredentialVariables variables = provider.CredentialVariables;
        bool fromSettings = !string.IsNullOrEmpty(store.AccessKeyId) || !string.IsNullOrEmpty(store.AccessKeySecret);
        if (!fromSettings && alternative is not null && string.IsNullOrEmpty(configuration[variables.AccessKeyId]) && string.IsNullOrEmpty(configuration[variables.AccessKeySecret])
            && (!string.IsNullOrEmpty(configuration[alternative.AccessKeyId]) || !string.IsNullOrEmpty(configuration[alternative.AccessKeySecret])))
        {
            variables = alternative;
        }
        string? id = fromSettings ? store.AccessKeyId : configuration[variables.AccessKeyId];
        string? secret = fromSettings ? store.AccessKeySecret : configuration[variables.AccessKeySecret];
        string? token = fromSettings ? store.SecurityToken : configuration[variables.SecurityToken];
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            errors.Add(fromSettings
                ? $"{path}: set both AccessKeyId and AccessKeySecret (or neither, to use {variables.AccessKeyId} and {variables.AccessKeySecret})."
                : $"{path} has no keys: set {path}:AccessKeyId and {path}:AccessKeySecret, or the environment variables {variables.AccessKeyId} and {variables.AccessKeySecret}.");
            return null;
        }

        try
        {
            var credentials = new Credentials(id, secret, string.IsNullOrEmpty(token) ? null : token);
            return new StaticCredentialSource(credentials, fromSettings ? $"static keys in {path}" : $"static keys in {variables.AccessKeyId}");
        }
        catch (InvalidPresignRequestException e)
        {
            errors.Add($"{path}: the credentials are unusable: {e.Reason}");
            return null;
        }
    }
}
