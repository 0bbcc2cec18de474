namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// The three stores of the end-to-end tests, one per signing scheme, each with a proxy and a redirect site; each also
/// has a virtual-hosted twin (<see cref="TestSites.VirtualHostedSettings"/>).
/// </summary>
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
    public static string Prefix(StoreKind kind, bool redirect) => (redirect ? "/r/" : "/") + StoreName(kind);

    /// <summary>The gateway path for an object key: prefix plus the key, each segment percent-encoded.</summary>
    public static string PathFor(StoreKind kind, bool redirect, string key)
        => Prefix(kind, redirect) + "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString));

    /// <summary>The bucket of the virtual-hosted store of a scheme: its own, so the Host alone tells them apart.</summary>
    public static string VirtualHostedBucket(StoreKind kind) => kind switch
    {
        StoreKind.OssV4 => "vhost-oss4",
        StoreKind.OssV1 => "vhost-oss1",
        _ => "vhost-s3",
    };

    /// <summary>The gateway path prefix of a virtual-hosted site: <c>/vh-oss4</c>, <c>/r/vh-s3</c>, ...</summary>
    public static string VirtualHostedPrefix(StoreKind kind, bool redirect) => (redirect ? "/r/vh-" : "/vh-") + StoreName(kind);

    /// <summary>The gateway path for an object key on a virtual-hosted site, each segment percent-encoded.</summary>
    public static string VirtualHostedPathFor(StoreKind kind, bool redirect, string key)
        => VirtualHostedPrefix(kind, redirect) + "/" + string.Join("/", key.Split('/').Select(Uri.EscapeDataString));

    public static Dictionary<string, string?> Settings(TestStore store, string urlLifetime = "01:00:00")
    {
        var settings = new Dictionary<string, string?>();
        AddStore(settings, "oss4", "OssV4", store.Endpoint, "cn-hangzhou", Bucket(StoreKind.OssV4), "Path", TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret, urlLifetime);
        AddStore(settings, "oss1", "ossv1", store.CnameEndpoint, "cn-hangzhou", Bucket(StoreKind.OssV1), "CustomDomain", TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret, urlLifetime);
        AddStore(settings, "s3", "S3V4", store.Endpoint, "us-east-1", Bucket(StoreKind.S3V4), "path", TestStore.S3AccessKeyId, TestStore.S3AccessKeySecret, urlLifetime);

        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            foreach (bool redirect in new[] { false, true })
            {
                AddSite(settings, (redirect ? "redirect-" : "proxy-") + kind, Prefix(kind, redirect), StoreName(kind), redirect);
            }
        }

        return settings;
    }

    /// <summary>
    /// Virtual-hosted twins of the three stores: endpoint <c>http://localhost:PORT</c>, so the gateway signs for and
    /// sends to <c>&lt;bucket&gt;.localhost:PORT</c>, and the store finds the bucket from the Host. A proxy and a redirect
    /// site each, under <see cref="VirtualHostedPrefix"/>, with the same query and alias settings as <see cref="Settings"/>.
    /// </summary>
    public static Dictionary<string, string?> VirtualHostedSettings(TestStore store, string urlLifetime = "01:00:00")
    {
        var settings = new Dictionary<string, string?>();
        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            string storeName = "vh-" + StoreName(kind);
            (string provider, string region, string id, string secret) = kind switch
            {
                StoreKind.OssV4 => ("OssV4", "cn-hangzhou", TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret),
                StoreKind.OssV1 => ("OssV1", "cn-hangzhou", TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret),
                _ => ("S3V4", "us-east-1", TestStore.S3AccessKeyId, TestStore.S3AccessKeySecret),
            };
            AddStore(settings, storeName, provider, store.VirtualHostEndpoint, region, VirtualHostedBucket(kind), "VirtualHosted", id, secret, urlLifetime);
            foreach (bool redirect in new[] { false, true })
            {
                AddSite(settings, (redirect ? "vh-redirect-" : "vh-proxy-") + kind, VirtualHostedPrefix(kind, redirect), storeName, redirect);
            }
        }

        return settings;
    }

    private static string StoreName(StoreKind kind) => kind switch { StoreKind.OssV4 => "oss4", StoreKind.OssV1 => "oss1", _ => "s3" };

    private static void AddStore(
        Dictionary<string, string?> settings, string name, string provider, string endpoint, string region, string bucket, string addressing, string id, string secret, string urlLifetime)
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

    private static void AddSite(Dictionary<string, string?> settings, string name, string prefix, string storeName, bool redirect)
    {
        string path = $"Gateway:Sites:{name}:";
        settings[path + "Hosts:0"] = "127.0.0.1";
        settings[path + "PathPrefix"] = prefix;
        settings[path + "Store"] = storeName;
        settings[path + "Mode"] = redirect ? "Redirect" : "Proxy";
        settings[path + "AllowedQuery:0"] = "versionId";
        settings[path + "AllowedQuery:1"] = "x-oss-process";
        settings[path + "AllowedQuery:2"] = "filename";
        settings[path + "AllowedQuery:3"] = "inline";
        settings[path + "CacheControl"] = CacheControl;
        settings[path + $"Aliases:{prefix}/latest/app.zip:Key"] = "releases/1.4.2/app-1.4.2.zip";
        settings[path + $"Aliases:{prefix}/latest/app.zip:FileName"] = "app.zip";
    }
}
