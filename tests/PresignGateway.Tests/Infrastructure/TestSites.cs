namespace PresignGateway.Tests.Infrastructure;

/// <summary>The three stores of the end-to-end tests, one per signing scheme, each with a proxy and a redirect site.</summary>
public enum StoreKind
{
    /// <summary>OSS V4, path-style on 127.0.0.1.</summary>
    OssV4,

    /// <summary>OSS V1, custom domain (Host: localhost).</summary>
    OssV1,

    /// <summary>S3 SigV4, path-style on 127.0.0.1.</summary>
    S3V4,
}

/// <summary>Gateway settings that point at the test store, and the paths and buckets that go with them.</summary>
internal static class TestSites
{
    public const string CacheControl = "public, max-age=60";

    public static string Bucket(StoreKind kind) => kind switch
    {
        StoreKind.OssV4 => "oss-bucket",
        StoreKind.OssV1 => TestStore.CnameBucket,
        _ => "s3-bucket",
    };

    /// <summary>The gateway path prefix of the site for a store and mode: <c>/oss4</c>, <c>/r/s3</c>, ...</summary>
    public static string Prefix(StoreKind kind, bool redirect) => (redirect ? "/r/" : "/") + kind switch
    {
        StoreKind.OssV4 => "oss4",
        StoreKind.OssV1 => "oss1",
        _ => "s3",
    };

    /// <summary>The gateway path for an object key: prefix plus the key, each segment percent-encoded.</summary>
    public static string PathFor(StoreKind kind, bool redirect, string key)
        => Prefix(kind, redirect) + "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString));

    public static Dictionary<string, string?> Settings(TestStore store, string urlLifetime = "01:00:00")
    {
        var settings = new Dictionary<string, string?>();
        void Store(string name, string provider, string endpoint, string region, string bucket, string addressing, string id, string secret)
        {
            string path = $"Gateway:Stores:{name}:";
            settings[path + "Provider"] = provider;
            settings[path + "Endpoint"] = endpoint;
            settings[path + "Region"] = region;
            settings[path + "Bucket"] = bucket;
            settings[path + "Addressing"] = addressing;
            settings[path + "UrlLifetime"] = urlLifetime;
            settings[path + "AccessKeyId"] = id;
            settings[path + "AccessKeySecret"] = secret;
        }

        Store("oss4", "OssV4", store.Endpoint, "cn-hangzhou", Bucket(StoreKind.OssV4), "Path", TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret);
        Store("oss1", "ossv1", store.CnameEndpoint, "cn-hangzhou", Bucket(StoreKind.OssV1), "CustomDomain", TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret);
        Store("s3", "S3V4", store.Endpoint, "us-east-1", Bucket(StoreKind.S3V4), "path", TestStore.S3AccessKeyId, TestStore.S3AccessKeySecret);

        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            foreach (bool redirect in new[] { false, true })
            {
                string name = (redirect ? "redirect-" : "proxy-") + kind;
                string path = $"Gateway:Sites:{name}:";
                settings[path + "Hosts:0"] = "127.0.0.1";
                settings[path + "PathPrefix"] = Prefix(kind, redirect);
                settings[path + "Store"] = kind switch { StoreKind.OssV4 => "oss4", StoreKind.OssV1 => "oss1", _ => "s3" };
                settings[path + "Mode"] = redirect ? "Redirect" : "Proxy";
                settings[path + "AllowedQuery:0"] = "versionId";
                settings[path + "AllowedQuery:1"] = "x-oss-process";
                settings[path + "AllowedQuery:2"] = "filename";
                settings[path + "AllowedQuery:3"] = "inline";
                settings[path + "CacheControl"] = CacheControl;
                settings[path + $"Aliases:{Prefix(kind, redirect)}/latest/app.zip:Key"] = "releases/1.4.2/app-1.4.2.zip";
                settings[path + $"Aliases:{Prefix(kind, redirect)}/latest/app.zip:FileName"] = "app.zip";
            }
        }

        return settings;
    }
}
