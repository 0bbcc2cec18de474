using System.Net;
using PresignGateway.Configuration;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// Turns <c>Gateway:Stores:name:Credentials</c> (and, for settings left empty, the environment variables of the
/// provider's SDKs) into the store's credential source, reporting every problem with the setting to fix. The sources
/// a store may use depend on its provider's <see cref="CredentialFamily"/>; <c>Auto</c> walks that family's SDK chain.
/// </summary>
internal static class CredentialSourceFactory
{
    private const string DefaultSessionName = "presign-gateway";

    /// <summary>Alibaba's SDK variables for static keys, read after the provider's own (<c>OSS_*</c>).</summary>
    private static readonly CredentialVariables AlibabaCloudVariables = new("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN");

    /// <summary>The sources a family accepts, Auto's chain order first (AssumeRole is never chosen by Auto).</summary>
    public static IReadOnlyList<CredentialSourceKind> Supported(CredentialFamily family) => family switch
    {
        CredentialFamily.Alibaba => [CredentialSourceKind.Static, CredentialSourceKind.Oidc, CredentialSourceKind.CredentialsUri, CredentialSourceKind.EcsRamRole, CredentialSourceKind.AssumeRole],
        CredentialFamily.Aws => [CredentialSourceKind.Static, CredentialSourceKind.WebIdentity, CredentialSourceKind.Container, CredentialSourceKind.Imds, CredentialSourceKind.AssumeRole],
        _ => [CredentialSourceKind.Static],
    };

    /// <summary>The store's source, or null with its problems added to <paramref name="errors"/>.</summary>
    /// <param name="path">The store's settings path, <c>Gateway:Stores:name</c>.</param>
    /// <param name="configuration">Where the SDK variables are read: the environment and the secrets directory are configuration sources.</param>
    /// <param name="reuse">Hands back the running source when a reload left this one's settings as they were.</param>
    public static ICredentialSource? Create(
        string name, string path, StoreOptions store, StoreProvider provider, IConfiguration configuration,
        Func<RefreshingCredentialSource, RefreshingCredentialSource>? reuse, ICollection<string> errors)
    {
        CredentialOptions options = store.Credentials;
        string setting = $"{path}:Credentials:Source";
        if (EnumSetting.Parse<CredentialSourceKind>(options.Source, setting, required: false, errors) is not { } kind)
        {
            return null;
        }

        IReadOnlyList<CredentialSourceKind> supported = Supported(provider.CredentialFamily);
        if (kind != CredentialSourceKind.Auto && !supported.Contains(kind))
        {
            string owner = StoreProviders.All.FirstOrDefault(p => Supported(p.CredentialFamily).Contains(kind))?.StoreKind ?? "other";
            errors.Add($"{setting} is {kind}, which is for {owner} stores; use {string.Join(", ", supported)} or Auto for an {provider.StoreKind} store.");
            return null;
        }

        var reader = new Reader(path, store, provider, configuration, errors);
        if (kind == CredentialSourceKind.Auto)
        {
            if (reader.Auto() is not { } chosen)
            {
                return null;
            }

            kind = chosen;
        }

        if (kind == CredentialSourceKind.Static)
        {
            return reader.Static();
        }

        int errorsBefore = errors.Count;
        if (options.DurationSeconds is < 900 or > 43200)
        {
            errors.Add($"{path}:Credentials:DurationSeconds is {options.DurationSeconds}: use 900 to 43200 (15 minutes to 12 hours).");
        }

        if (options.RefreshBefore <= TimeSpan.Zero || options.RefreshBefore >= TimeSpan.FromHours(12))
        {
            errors.Add($"{path}:Credentials:RefreshBefore is {options.RefreshBefore}: use a time above 00:00:00 and below 12:00:00 (default 00:15:00).");
        }

        ICredentialFetcher? fetcher = kind switch
        {
            CredentialSourceKind.EcsRamRole => reader.EcsRamRole(),
            CredentialSourceKind.Oidc => reader.Oidc(),
            CredentialSourceKind.CredentialsUri => reader.CredentialsUri(),
            CredentialSourceKind.AssumeRole when provider.CredentialFamily == CredentialFamily.Alibaba => reader.AlibabaAssumeRole(),
            CredentialSourceKind.AssumeRole => reader.AwsAssumeRole(),
            CredentialSourceKind.Imds => reader.Imds(),
            CredentialSourceKind.Container => reader.Container(),
            CredentialSourceKind.WebIdentity => reader.WebIdentity(),
            _ => null,
        };
        if (fetcher is null || errors.Count != errorsBefore)
        {
            return null;
        }

        var source = new RefreshingCredentialSource(name, fetcher, options.RefreshBefore);
        return reuse?.Invoke(source) ?? source;
    }

    /// <summary>One store's settings and the variables behind them.</summary>
    private sealed class Reader(string path, StoreOptions store, StoreProvider provider, IConfiguration configuration, ICollection<string> errors)
    {
        private CredentialOptions Options => store.Credentials;

        private bool IsAlibaba => provider.CredentialFamily == CredentialFamily.Alibaba;

        /// <summary>The first source of the family's chain that the settings and environment point at.</summary>
        public CredentialSourceKind? Auto()
        {
            CredentialVariables own = provider.CredentialVariables;
            bool staticKeys = !string.IsNullOrEmpty(store.AccessKeyId) || !string.IsNullOrEmpty(store.AccessKeySecret)
                || Env(own.AccessKeyId) is not null || Env(own.AccessKeySecret) is not null
                || (IsAlibaba && (Env(AlibabaCloudVariables.AccessKeyId) is not null || Env(AlibabaCloudVariables.AccessKeySecret) is not null));
            if (staticKeys)
            {
                return CredentialSourceKind.Static;
            }

            if (IsAlibaba)
            {
                if (RoleArn() is not null && Value(Options.OidcProviderArn, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN") is not null && TokenFile() is not null)
                {
                    return CredentialSourceKind.Oidc;
                }

                if (Value(Options.CredentialsUri, "ALIBABA_CLOUD_CREDENTIALS_URI") is not null)
                {
                    return CredentialSourceKind.CredentialsUri;
                }

                if (!IsTrue("ALIBABA_CLOUD_ECS_METADATA_DISABLED"))
                {
                    return CredentialSourceKind.EcsRamRole;
                }
            }
            else
            {
                if (RoleArn() is not null && TokenFile() is not null)
                {
                    return CredentialSourceKind.WebIdentity;
                }

                if (Value(Options.CredentialsUri, "AWS_CONTAINER_CREDENTIALS_FULL_URI") is not null || Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") is not null)
                {
                    return CredentialSourceKind.Container;
                }

                if (!IsTrue("AWS_EC2_METADATA_DISABLED"))
                {
                    return CredentialSourceKind.Imds;
                }
            }

            errors.Add($"{path} has no credentials: set {path}:AccessKeyId and {path}:AccessKeySecret (or {own.AccessKeyId} and {own.AccessKeySecret}), "
                + $"or {path}:Credentials:Source, or let Auto use the instance metadata service (it is disabled by {(IsAlibaba ? "ALIBABA_CLOUD_ECS_METADATA_DISABLED" : "AWS_EC2_METADATA_DISABLED")}).");
            return null;
        }

        public StaticCredentialSource? Static()
            => StaticCredentialSource.Read(path, store, provider, configuration, errors, IsAlibaba ? AlibabaCloudVariables : null);

        public MetadataServiceFetcher? EcsRamRole()
        {
            Uri? endpoint = Endpoint(Options.MetadataEndpoint, $"{path}:Credentials:MetadataEndpoint", null, "http://100.100.100.200");
            string? role = Value(Options.RoleName, "ALIBABA_CLOUD_ECS_METADATA");
            return endpoint is null ? null : MetadataServiceFetcher.ForEcs(endpoint, role);
        }

        public MetadataServiceFetcher? Imds()
        {
            Uri? endpoint = Endpoint(Options.MetadataEndpoint, $"{path}:Credentials:MetadataEndpoint", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254");
            return endpoint is null ? null : MetadataServiceFetcher.ForImds(endpoint, Blank(Options.RoleName));
        }

        public CredentialDocumentFetcher? CredentialsUri()
        {
            Uri? uri = Endpoint(Options.CredentialsUri, $"{path}:Credentials:CredentialsUri", "ALIBABA_CLOUD_CREDENTIALS_URI", null);
            return uri is null ? null : CredentialDocumentFetcher.ForCredentialsUri(uri);
        }

        public CredentialDocumentFetcher? Container()
        {
            Uri? uri;
            if (Value(Options.CredentialsUri, "AWS_CONTAINER_CREDENTIALS_FULL_URI") is not null || Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") is not { } relative)
            {
                uri = Endpoint(Options.CredentialsUri, $"{path}:Credentials:CredentialsUri", "AWS_CONTAINER_CREDENTIALS_FULL_URI", null);
            }
            else if (!relative.StartsWith('/') || !Uri.TryCreate("http://169.254.170.2" + relative, UriKind.Absolute, out uri))
            {
                errors.Add($"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (for {path}) is not a path starting with '/'.");
                return null;
            }

            if (uri is null)
            {
                return null;
            }

            if (uri.Scheme == Uri.UriSchemeHttp && !IsAllowedPlainHttpHost(uri))
            {
                errors.Add($"The container credentials URI for {path} is plain HTTP to {uri.Host}: use https, or a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (as the AWS SDKs allow).");
                return null;
            }

            string? tokenFile = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            return CredentialDocumentFetcher.ForContainer(uri, tokenFile, tokenFile is null ? Env("AWS_CONTAINER_AUTHORIZATION_TOKEN") : null);
        }

        public AlibabaStsFetcher? Oidc()
        {
            string? roleArn = Require(RoleArn(), "RoleArn", "ALIBABA_CLOUD_ROLE_ARN");
            string? provider = Require(Value(Options.OidcProviderArn, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"), "OidcProviderArn", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN");
            string? tokenFile = Require(TokenFile(), "OidcTokenFile", "ALIBABA_CLOUD_OIDC_TOKEN_FILE");
            Uri? sts = Sts();
            return roleArn is null || provider is null || tokenFile is null || sts is null
                ? null
                : AlibabaStsFetcher.ForOidc(sts, roleArn, provider, tokenFile, SessionName(), Options.DurationSeconds, Blank(Options.Policy));
        }

        public AlibabaStsFetcher? AlibabaAssumeRole()
        {
            Credentials? baseKeys = Static()?.Current.Credentials;
            string? roleArn = Require(RoleArn(), "RoleArn", "ALIBABA_CLOUD_ROLE_ARN");
            Uri? sts = Sts();
            return baseKeys is null || roleArn is null || sts is null
                ? null
                : AlibabaStsFetcher.ForAssumeRole(sts, baseKeys, roleArn, SessionName(), Options.DurationSeconds, Blank(Options.ExternalId), Blank(Options.Policy));
        }

        public AwsStsFetcher? WebIdentity()
        {
            string? roleArn = Require(RoleArn(), "RoleArn", "AWS_ROLE_ARN");
            string? tokenFile = Require(TokenFile(), "OidcTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE");
            Uri? sts = Sts();
            return roleArn is null || tokenFile is null || sts is null ? null : AwsStsFetcher.ForWebIdentity(sts, AwsRegion(), roleArn, tokenFile, SessionName(), Options.DurationSeconds);
        }

        public AwsStsFetcher? AwsAssumeRole()
        {
            Credentials? baseKeys = Static()?.Current.Credentials;
            string? roleArn = Require(Blank(Options.RoleArn), "RoleArn", null);
            Uri? sts = Sts();
            return baseKeys is null || roleArn is null || sts is null
                ? null
                : AwsStsFetcher.ForAssumeRole(sts, AwsRegion(), baseKeys, roleArn, SessionName(), Options.DurationSeconds, Blank(Options.ExternalId));
        }

        private string? RoleArn() => Value(Options.RoleArn, IsAlibaba ? "ALIBABA_CLOUD_ROLE_ARN" : "AWS_ROLE_ARN");

        private string? TokenFile() => Value(Options.OidcTokenFile, IsAlibaba ? "ALIBABA_CLOUD_OIDC_TOKEN_FILE" : "AWS_WEB_IDENTITY_TOKEN_FILE");

        private string SessionName() => Value(Options.RoleSessionName, IsAlibaba ? "ALIBABA_CLOUD_ROLE_SESSION_NAME" : "AWS_ROLE_SESSION_NAME") ?? DefaultSessionName;

        private Uri? Sts() => IsAlibaba
            ? Endpoint(Options.StsEndpoint, $"{path}:Credentials:StsEndpoint", "ALIBABA_CLOUD_STS_ENDPOINT", "https://sts.aliyuncs.com")
            : Endpoint(Options.StsEndpoint, $"{path}:Credentials:StsEndpoint", "AWS_ENDPOINT_URL_STS", AwsStsDefault(AwsRegion()));

        /// <summary>The region STS calls are signed for: the SDK variables, else the store's region, else us-east-1.</summary>
        private string AwsRegion()
        {
            string? region = Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? Blank(store.Region);
            return region is null || string.Equals(region, "auto", StringComparison.OrdinalIgnoreCase) ? "us-east-1" : region;
        }

        private static string AwsStsDefault(string region)
            => region.StartsWith("cn-", StringComparison.Ordinal) ? $"https://sts.{region}.amazonaws.com.cn" : $"https://sts.{region}.amazonaws.com";

        /// <summary>An http(s) URL from the setting, else the variable, else the default; null with a problem when it isn't one.</summary>
        private Uri? Endpoint(string? settingValue, string setting, string? variable, string? defaultValue)
        {
            string? text = Blank(settingValue);
            string source = setting;
            if (text is null && variable is not null && Env(variable) is { } fromVariable)
            {
                text = fromVariable;
                source = $"{variable} (for {path})";
            }

            text ??= defaultValue;
            if (text is null)
            {
                errors.Add(variable is null ? $"{setting} is required for this credential source." : $"{setting} (or {variable}) is required for this credential source.");
                return null;
            }

            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            {
                errors.Add($"{source} is not an http:// or https:// URL (without user info).");
                return null;
            }

            return uri;
        }

        private string? Require(string? value, string setting, string? variable)
        {
            if (value is null)
            {
                errors.Add(variable is null ? $"{path}:Credentials:{setting} is required for this credential source." : $"{path}:Credentials:{setting} (or {variable}) is required for this credential source.");
            }

            return value;
        }

        private string? Value(string? settingValue, string variable) => Blank(settingValue) ?? Env(variable);

        private string? Env(string variable) => Blank(configuration[variable]);

        private bool IsTrue(string variable) => string.Equals(Env(variable), "true", StringComparison.OrdinalIgnoreCase);

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

        private static bool IsAllowedPlainHttpHost(Uri uri)
        {
            if (uri.IsLoopback)
            {
                return true;
            }

            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address)
                && (address.Equals(IPAddress.Parse("169.254.170.2")) || address.Equals(IPAddress.Parse("169.254.170.23")) || address.Equals(IPAddress.Parse("fd00:ec2::23")));
        }
    }
}
