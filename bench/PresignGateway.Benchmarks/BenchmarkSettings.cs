using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Sites;

namespace PresignGateway.Benchmarks;

/// <summary>The gateway configuration the in-process benchmarks share: one OSS V4 store, plus the sites each adds.</summary>
internal static class BenchmarkSettings
{
    public const string StoreName = "main";

    public static IConfiguration WithOssStore(IEnumerable<KeyValuePair<string, string?>> sites) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Gateway:Stores:{StoreName}:Provider"] = "OssV4",
            [$"Gateway:Stores:{StoreName}:Endpoint"] = "https://oss-cn-hangzhou.aliyuncs.com",
            [$"Gateway:Stores:{StoreName}:Region"] = "cn-hangzhou",
            [$"Gateway:Stores:{StoreName}:Bucket"] = "examplebucket",
            [$"Gateway:Stores:{StoreName}:AccessKeyId"] = "test-access-key-id",
            [$"Gateway:Stores:{StoreName}:AccessKeySecret"] = "TestSecret/abc+123=xyz",
        }).AddInMemoryCollection(sites).Build();

    /// <summary>The presigned-URL cache as the gateway composes it (in-process only), over one site on the OSS store.</summary>
    public static ServiceProvider CacheServices()
    {
        IConfiguration configuration = WithOssStore(new Dictionary<string, string?>
        {
            ["Gateway:Sites:downloads:Hosts:0"] = "downloads.example.com",
            ["Gateway:Sites:downloads:Store"] = StoreName,
        });
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddMetrics();
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName));
        services.AddSingleton<OptionsInForce>();
        services.AddSingleton<SiteTableProvider>();
        services.AddSingleton<GatewayMetrics>();
        services.AddHybridCache();
        services.AddSingleton<PresignedUrlCache>();
        return services.BuildServiceProvider();
    }
}
