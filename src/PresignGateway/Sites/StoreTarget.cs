using PresignGateway.Signing;

namespace PresignGateway.Sites;

/// <summary>A configured store, ready to sign for: its signer, bucket location, credentials and URL lifetime.</summary>
internal sealed class StoreTarget
{
    public StoreTarget(string name, IUrlPresigner presigner, BucketLocation location, Credentials credentials, TimeSpan urlLifetime)
    {
        Name = name;
        Presigner = presigner;
        Location = location;
        Credentials = credentials;
        UrlLifetime = urlLifetime;
    }

    public string Name { get; }

    public IUrlPresigner Presigner { get; }

    public SigningScheme Scheme => Presigner.Scheme;

    public BucketLocation Location { get; }

    public Credentials Credentials { get; }

    public TimeSpan UrlLifetime { get; }

    /// <summary>The store's clock relative to ours; new with each configuration, learned again from responses.</summary>
    public StoreClock Clock { get; } = new();

    /// <summary>Now, on the store's clock: the time to sign with and to judge a URL's expiry by.</summary>
    public DateTimeOffset Now(TimeProvider time) => time.GetUtcNow() + Clock.Offset;

    /// <summary>Image processing (<c>x-oss-process</c>) is an OSS feature; S3 stores never get it.</summary>
    public bool SupportsImageProcessing => Scheme is SigningScheme.OssV4 or SigningScheme.OssV1;

    public override string ToString() => $"store {Name} ({Scheme}, {Location})";
}
