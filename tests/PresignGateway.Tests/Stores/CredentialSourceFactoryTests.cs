using PresignGateway.Configuration;
using PresignGateway.Signing;
using PresignGateway.Stores;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Stores;

/// <summary>
/// Which source a store gets: Auto walks its provider's SDK chain over the settings and the environment (read through
/// IConfiguration, as the host does, so these tests set variables as keys), an explicit source must suit the provider,
/// and every missing or wrong setting is reported with its name.
/// </summary>
public sealed class CredentialSourceFactoryTests
{
    public static TheoryData<string, string[], string> AutoChains() => new()
    {
        // Alibaba: static, OIDC, credentials URI, ECS RAM role.
        { "OssV4", [], "EcsRamRole (100.100.100.200)" },
        { "OssV4", ["OSS_ACCESS_KEY_ID=fake-env-id", "OSS_ACCESS_KEY_SECRET=fake-env-secret"], "static keys in OSS_ACCESS_KEY_ID" },
        { "OssV1", ["ALIBABA_CLOUD_ACCESS_KEY_ID=fake-env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=fake-env-secret"], "static keys in ALIBABA_CLOUD_ACCESS_KEY_ID" },
        { "OssV4", ["ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/r", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/p", "ALIBABA_CLOUD_OIDC_TOKEN_FILE=/var/run/token", "ALIBABA_CLOUD_CREDENTIALS_URI=http://127.0.0.1:9/c"], "Oidc (sts.aliyuncs.com)" },
        { "OssV4", ["ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/r", "ALIBABA_CLOUD_OIDC_TOKEN_FILE=/var/run/token", "ALIBABA_CLOUD_CREDENTIALS_URI=http://127.0.0.1:9/c"], "CredentialsUri (127.0.0.1:9)" },
        { "OssV4", ["ALIBABA_CLOUD_STS_ENDPOINT=https://sts-vpc.cn-hangzhou.aliyuncs.com", "ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/r", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/p", "ALIBABA_CLOUD_OIDC_TOKEN_FILE=/t"], "Oidc (sts-vpc.cn-hangzhou.aliyuncs.com)" },
        // AWS: static, web identity, container, IMDS.
        { "S3V4", [], "Imds (169.254.169.254)" },
        { "S3V4", ["AWS_EC2_METADATA_SERVICE_ENDPOINT=http://[fd00:ec2::254]"], "Imds ([fd00:ec2::254])" },
        { "S3V4", ["AWS_ACCESS_KEY_ID=fake-env-id", "AWS_SECRET_ACCESS_KEY=fake-env-secret", "AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE=/t"], "static keys in AWS_ACCESS_KEY_ID" },
        { "S3V4", ["AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x"], "WebIdentity (sts.us-east-1.amazonaws.com)" },
        { "S3V4", ["AWS_REGION=eu-west-1", "AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE=/t"], "WebIdentity (sts.eu-west-1.amazonaws.com)" },
        { "S3V4", ["AWS_ROLE_ARN=arn:aws:iam::1:role/r", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x"], "Container (169.254.170.2)" },
        { "S3V4", ["AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials"], "Container (169.254.170.23)" },
    };

    [Theory]
    [MemberData(nameof(AutoChains))]
    public void Auto_takes_the_first_source_of_the_providers_chain_that_the_environment_names(string provider, string[] environment, string description)
    {
        Dictionary<string, string?> settings = Store(provider, withKeys: false);
        AddEnvironment(settings, environment);

        Assert.Equal(description, Build(settings).CredentialSource.Description);
    }

    [Fact]
    public void Static_keys_in_the_settings_keep_todays_behaviour_under_auto()
    {
        Dictionary<string, string?> settings = Store("OssV4", withKeys: true);
        AddEnvironment(settings, ["ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/r", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN=p", "ALIBABA_CLOUD_OIDC_TOKEN_FILE=/t"]);

        Store store = Build(settings);

        Assert.IsType<StaticCredentialSource>(store.CredentialSource);
        Assert.Equal(GatewaySettings.KeyId, store.CredentialSource.Current.Credentials.AccessKeyId);
    }

    [Theory]
    [InlineData("OssV4", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "Gateway:Stores:main has no credentials: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret (or OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET), or Gateway:Stores:main:Credentials:Source, or let Auto use the instance metadata service (it is disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED).")]
    [InlineData("S3V4", "AWS_EC2_METADATA_DISABLED=TRUE", "Gateway:Stores:main has no credentials: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or Gateway:Stores:main:Credentials:Source, or let Auto use the instance metadata service (it is disabled by AWS_EC2_METADATA_DISABLED).")]
    public void Auto_with_nothing_to_use_says_what_to_set(string provider, string disabled, string message)
    {
        Dictionary<string, string?> settings = Store(provider, withKeys: false);
        AddEnvironment(settings, [disabled]);

        Assert.Equal([message], GatewaySettings.Errors(settings));
    }

    [Theory]
    [InlineData("OssV4", "Imds", "Gateway:Stores:main:Credentials:Source is Imds, which is for S3 stores; use Static, Oidc, CredentialsUri, EcsRamRole, AssumeRole or Auto for an OSS store.")]
    [InlineData("OssV1", "WebIdentity", "Gateway:Stores:main:Credentials:Source is WebIdentity, which is for S3 stores; use Static, Oidc, CredentialsUri, EcsRamRole, AssumeRole or Auto for an OSS store.")]
    [InlineData("S3V4", "EcsRamRole", "Gateway:Stores:main:Credentials:Source is EcsRamRole, which is for OSS stores; use Static, WebIdentity, Container, Imds, AssumeRole or Auto for an S3 store.")]
    [InlineData("S3V4", "Metadata", "Gateway:Stores:main:Credentials:Source is 'Metadata': use one of Auto, Static, EcsRamRole, Oidc, AssumeRole, CredentialsUri, Imds, Container, WebIdentity.")]
    public void A_source_that_does_not_suit_the_provider_names_the_ones_that_do(string provider, string source, string message)
    {
        Dictionary<string, string?> settings = Store(provider, withKeys: false);
        settings["Gateway:Stores:main:Credentials:Source"] = source;

        Assert.Equal([message], GatewaySettings.Errors(settings));
    }

    public static TheoryData<string, string, string[], string[]> MissingSettings() => new()
    {
        { "OssV4", "Oidc", [], [
            "Gateway:Stores:main:Credentials:RoleArn (or ALIBABA_CLOUD_ROLE_ARN) is required for this credential source.",
            "Gateway:Stores:main:Credentials:OidcProviderArn (or ALIBABA_CLOUD_OIDC_PROVIDER_ARN) is required for this credential source.",
            "Gateway:Stores:main:Credentials:OidcTokenFile (or ALIBABA_CLOUD_OIDC_TOKEN_FILE) is required for this credential source."] },
        { "OssV4", "AssumeRole", [], [
            "Gateway:Stores:main has no keys: set Gateway:Stores:main:AccessKeyId and Gateway:Stores:main:AccessKeySecret, or the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET.",
            "Gateway:Stores:main:Credentials:RoleArn (or ALIBABA_CLOUD_ROLE_ARN) is required for this credential source."] },
        { "OssV4", "CredentialsUri", ["Gateway:Stores:main:Credentials:CredentialsUri=file:///etc/passwd"], ["Gateway:Stores:main:Credentials:CredentialsUri is not an http:// or https:// URL (without user info)."] },
        { "OssV4", "CredentialsUri", [], ["Gateway:Stores:main:Credentials:CredentialsUri (or ALIBABA_CLOUD_CREDENTIALS_URI) is required for this credential source."] },
        { "OssV4", "EcsRamRole", ["Gateway:Stores:main:Credentials:RefreshBefore=00:00:00", "Gateway:Stores:main:Credentials:DurationSeconds=60"], [
            "Gateway:Stores:main:Credentials:DurationSeconds is 60: use 900 to 43200 (15 minutes to 12 hours).",
            "Gateway:Stores:main:Credentials:RefreshBefore is 00:00:00: use a time above 00:00:00 and below 12:00:00 (default 00:15:00)."] },
        { "S3V4", "WebIdentity", [], [
            "Gateway:Stores:main:Credentials:RoleArn (or AWS_ROLE_ARN) is required for this credential source.",
            "Gateway:Stores:main:Credentials:OidcTokenFile (or AWS_WEB_IDENTITY_TOKEN_FILE) is required for this credential source."] },
        { "S3V4", "AssumeRole", ["Gateway:Stores:main:AccessKeyId=fake-base-id", "Gateway:Stores:main:AccessKeySecret=fake-base-secret"], ["Gateway:Stores:main:Credentials:RoleArn is required for this credential source."] },
        { "S3V4", "Container", [], ["Gateway:Stores:main:Credentials:CredentialsUri (or AWS_CONTAINER_CREDENTIALS_FULL_URI) is required for this credential source."] },
        // Plain HTTP only where the AWS SDKs allow it: a token must not cross the network in clear.
        { "S3V4", "Container", ["AWS_CONTAINER_CREDENTIALS_FULL_URI=http://metadata.example.com/creds"], ["The container credentials URI for Gateway:Stores:main is plain HTTP to metadata.example.com: use https, or a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (as the AWS SDKs allow)."] },
        { "S3V4", "Container", ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=v2/x"], ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (for Gateway:Stores:main) is not a path starting with '/'."] },
    };

    [Theory]
    [MemberData(nameof(MissingSettings))]
    public void Every_missing_or_wrong_setting_of_a_source_is_named(string provider, string source, string[] extra, string[] messages)
    {
        Dictionary<string, string?> settings = Store(provider, withKeys: false);
        settings["Gateway:Stores:main:Credentials:Source"] = source;
        AddEnvironment(settings, extra);

        Assert.Equal(messages, GatewaySettings.Errors(settings));
    }

    [Theory]
    [InlineData("https://ecs.example.com/creds")]
    [InlineData("http://127.0.0.1:8080/creds")]
    [InlineData("http://[fd00:ec2::23]/creds")]
    [InlineData("http://169.254.170.2/creds")]
    public void The_container_endpoint_may_be_https_anywhere_or_plain_http_to_the_aws_addresses(string uri)
    {
        Dictionary<string, string?> settings = Store("S3V4", withKeys: false);
        settings["Gateway:Stores:main:Credentials:Source"] = "Container";
        settings["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = uri;

        Assert.StartsWith("Container (", Build(settings).CredentialSource.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Temporary_keys_limit_the_url_lifetime_as_a_token_does()
    {
        Dictionary<string, string?> settings = Store("OssV4", withKeys: false);
        settings["Gateway:Stores:main:Credentials:Source"] = "EcsRamRole";
        settings["Gateway:Stores:main:UrlLifetime"] = "1.00:00:00";

        Assert.Equal(
            ["Gateway:Stores:main:UrlLifetime is 1.00:00:00: it must be a whole number of seconds from 00:00:01 to 12:00:00 for OssV4 with an STS token."],
            GatewaySettings.Errors(settings));
    }

    [Fact]
    public void The_descriptor_family_lists_the_sources_each_provider_takes()
    {
        Assert.Equal(CredentialFamily.Alibaba, StoreProviders.Get(SigningScheme.OssV4).CredentialFamily);
        Assert.Equal(CredentialFamily.Alibaba, StoreProviders.Get(SigningScheme.OssV1).CredentialFamily);
        Assert.Equal(CredentialFamily.Aws, StoreProviders.Get(SigningScheme.S3V4).CredentialFamily);
        Assert.DoesNotContain(CredentialSourceKind.Imds, CredentialSourceFactory.Supported(CredentialFamily.Alibaba));
        Assert.DoesNotContain(CredentialSourceKind.EcsRamRole, CredentialSourceFactory.Supported(CredentialFamily.Aws));
        Assert.All(Enum.GetValues<CredentialSourceKind>().Where(k => k != CredentialSourceKind.Auto), kind =>
            Assert.Contains(Enum.GetValues<CredentialFamily>(), family => CredentialSourceFactory.Supported(family).Contains(kind)));
    }

    [Fact]
    public void Url_life_is_cut_to_what_the_keys_have_left()
    {
        Store store = Build(Store("S3V4", withKeys: true));
        var now = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        var keys = new Signing.Credentials("fake-sts-key", "fake-secret", "fake-token");

        Assert.Equal(TimeSpan.FromHours(1), store.UrlLifetimeFor(new StoreCredentials(keys), now));
        Assert.Equal(TimeSpan.FromHours(1), store.UrlLifetimeFor(new StoreCredentials(keys, now.AddHours(2)), now));
        Assert.Equal(TimeSpan.FromSeconds(599), store.UrlLifetimeFor(new StoreCredentials(keys, now.AddSeconds(599.9)), now));
        Assert.Equal(TimeSpan.Zero, store.UrlLifetimeFor(new StoreCredentials(keys, now.AddMilliseconds(900)), now));
        Assert.Equal(TimeSpan.Zero, store.UrlLifetimeFor(new StoreCredentials(keys, now.AddMinutes(-1)), now));
    }

    private static Dictionary<string, string?> Store(string provider, bool withKeys)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        GatewaySettings.AddStore(settings, "main", provider, withKeys);
        GatewaySettings.AddSite(settings, "site", "/", "main", "downloads.example.com");
        return settings;
    }

    private static Store Build(Dictionary<string, string?> settings) => Assert.Single(GatewaySettings.Build(settings).Stores);

    private static void AddEnvironment(Dictionary<string, string?> settings, string[] variables)
    {
        foreach (string variable in variables)
        {
            int equals = variable.IndexOf('=', StringComparison.Ordinal);
            settings[variable[..equals]] = variable[(equals + 1)..];
        }
    }
}
