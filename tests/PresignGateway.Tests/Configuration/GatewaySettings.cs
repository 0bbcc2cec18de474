using PresignGateway.Configuration;
using PresignGateway.Sites;

namespace PresignGateway.Tests.Configuration;

/// <summary>
/// Gateway settings as flat configuration keys (<c>Gateway:Stores:main:Provider</c>, ...), bound the way the host binds
/// them, and the table or the errors that <see cref="SiteTableBuilder"/> makes of them.
/// </summary>
internal static class GatewaySettings
{
    public const string KeyId = "fake-oss-key-id-0001";
    public const string Secret = "TestSecret/abc+123=xyz";

    /// <summary>A valid OSS V4 store named <c>main</c> and nothing else.</summary>
    public static Dictionary<string, string?> WithStore(string name = "main", string provider = "OssV4")
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        AddStore(settings, name, provider);
        return settings;
    }

    public static void AddStore(Dictionary<string, string?> settings, string name, string provider = "OssV4", bool withKeys = true)
    {
        bool s3 = provider.StartsWith("s3", StringComparison.OrdinalIgnoreCase);
        string path = $"Gateway:Stores:{name}:";
        settings[path + "Provider"] = provider;
        settings[path + "Endpoint"] = s3 ? "https://s3.us-east-1.amazonaws.com" : "https://oss-cn-hangzhou.aliyuncs.com";
        settings[path + "Region"] = s3 ? "us-east-1" : "cn-hangzhou";
        settings[path + "Bucket"] = "examplebucket";
        if (withKeys)
        {
            settings[path + "AccessKeyId"] = KeyId;
            settings[path + "AccessKeySecret"] = Secret;
        }
    }

    /// <summary>Adds a site on <paramref name="hosts"/> under <paramref name="prefix"/> for <paramref name="store"/>.</summary>
    public static void AddSite(Dictionary<string, string?> settings, string name, string prefix, string store, params string[] hosts)
    {
        string path = $"Gateway:Sites:{name}:";
        settings[path + "PathPrefix"] = prefix;
        settings[path + "Store"] = store;
        for (int i = 0; i < hosts.Length; i++)
        {
            settings[path + "Hosts:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = hosts[i];
        }
    }

    public static IConfiguration Configuration(IReadOnlyDictionary<string, string?> settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>Binds the <c>Gateway</c> section as the host does (<c>BindConfiguration</c> into a new options object).</summary>
    public static GatewayOptions Bind(IConfiguration configuration)
    {
        var options = new GatewayOptions();
        configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        return options;
    }

    public static IReadOnlyList<string> Errors(IReadOnlyDictionary<string, string?> settings)
    {
        IConfiguration configuration = Configuration(settings);
        SiteTable? table = SiteTableBuilder.TryBuild(Bind(configuration), configuration, out IReadOnlyList<string> errors);
        Assert.Null(table);
        Assert.NotEmpty(errors);
        return errors;
    }

    public static SiteTable Build(IReadOnlyDictionary<string, string?> settings)
    {
        IConfiguration configuration = Configuration(settings);
        SiteTable? table = SiteTableBuilder.TryBuild(Bind(configuration), configuration, out IReadOnlyList<string> errors);
        Assert.True(errors.Count == 0, "Unexpected configuration errors:\n" + string.Join("\n", errors));
        Assert.NotNull(table);
        return table;
    }
}
