using Microsoft.Extensions.Configuration;

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
}
