using Microsoft.Extensions.Logging.Abstractions;
using PresignGateway.Diagnostics;
using PresignGateway.Stores;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Stores;

/// <summary>
/// A reload builds new stores, but a credential source whose settings it left alone carries over (its keys and its
/// loop), while a changed one is replaced; a validation-only build (no refresher) never starts anything.
/// </summary>
public sealed class CredentialRefresherTests
{
    [Fact]
    public void A_reload_keeps_an_unchanged_source_and_replaces_a_changed_one()
    {
        using var refresher = NewRefresher();
        Dictionary<string, string?> settings = Settings("http://127.0.0.1:9");
        RefreshingCredentialSource first = Build(settings, refresher);
        refresher.Commit([first]);

        RefreshingCredentialSource same = Build(settings, refresher);
        RefreshingCredentialSource changed = Build(Settings("http://127.0.0.1:10"), refresher);
        settings["Gateway:Stores:main:Credentials:RefreshBefore"] = "00:10:00";
        RefreshingCredentialSource otherRefresh = Build(settings, refresher);

        Assert.Same(first, same);
        Assert.NotSame(first, changed);
        Assert.NotSame(first, otherRefresh);

        refresher.Commit([changed]);
        Assert.NotSame(first, Build(Settings("http://127.0.0.1:9"), refresher));
    }

    [Fact]
    public void Nothing_that_describes_a_source_shows_a_secret()
    {
        Dictionary<string, string?> settings = Settings("http://127.0.0.1:9");
        settings["Gateway:Stores:main:Credentials:Source"] = "AssumeRole";
        settings["Gateway:Stores:main:Credentials:RoleArn"] = "acs:ram::1:role/r";
        settings["Gateway:Stores:main:Credentials:StsEndpoint"] = "https://sts.example.com/path?x=1";
        settings["Gateway:Stores:main:AccessKeyId"] = "fake-base-id";
        settings["Gateway:Stores:main:AccessKeySecret"] = "fake-base-secret";
        var source = (RefreshingCredentialSource)Assert.Single(GatewaySettings.Build(settings).Stores).CredentialSource;

        foreach (string text in new[] { source.Description, source.ToString(), source.Fingerprint, source.Fetcher.ToString()! })
        {
            Assert.DoesNotContain("fake-base", text, StringComparison.Ordinal);
            Assert.DoesNotContain("/path", text, StringComparison.Ordinal);
        }

        Assert.Equal("AssumeRole (sts.example.com)", source.Description);
        Assert.Null(source.Latest);
        Assert.Throws<CredentialsUnavailableException>(() => ((ICredentialSource)source).Current);
    }

    private static CredentialRefresher NewRefresher()
    {
        var services = new ServiceCollection().AddMetrics().AddHttpClient().BuildServiceProvider();
        var context = new CredentialFetchContext(services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System);
        var metrics = new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        return new CredentialRefresher(context, metrics, NullLogger<CredentialRefresher>.Instance);
    }

    private static Dictionary<string, string?> Settings(string metadataEndpoint)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        GatewaySettings.AddStore(settings, "main", "OssV4", withKeys: false);
        GatewaySettings.AddSite(settings, "site", "/", "main", "downloads.example.com");
        settings["Gateway:Stores:main:Credentials:Source"] = "EcsRamRole";
        settings["Gateway:Stores:main:Credentials:MetadataEndpoint"] = metadataEndpoint;
        return settings;
    }

    private static RefreshingCredentialSource Build(Dictionary<string, string?> settings, CredentialRefresher refresher)
    {
        IConfiguration configuration = GatewaySettings.Configuration(settings);
        PresignGateway.Sites.SiteTable? table = PresignGateway.Sites.SiteTableBuilder.TryBuild(GatewaySettings.Bind(configuration), configuration, out IReadOnlyList<string> errors, refresher.Reuse);
        Assert.Empty(errors);
        return Assert.IsType<RefreshingCredentialSource>(Assert.Single(table!.Stores).CredentialSource);
    }
}
