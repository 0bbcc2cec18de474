using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// A configured store: its name, provider, bucket location, credential source, clock and URL lifetime. New with
/// each configuration; the identity of the URLs signed for it.
/// </summary>
internal sealed class Store
{
    /// <summary>Size of the MAC on a shared-tier value (HMAC-SHA256).</summary>
    public const int SharedValueMacSize = HMACSHA256.HashSizeInBytes;

    public Store(string name, StoreProvider provider, BucketLocation location, ICredentialSource credentials, TimeSpan urlLifetime)
    {
        Name = name;
        Provider = provider;
        Presigner = provider.CreatePresigner();
        Location = location;
        CredentialSource = credentials;
        UrlLifetime = urlLifetime;
    }

    public string Name { get; }

    public StoreProvider Provider { get; }

    public SigningScheme Scheme => Provider.Scheme;

    public BucketLocation Location { get; }

    /// <summary>
    /// Where the keys come from. A request reads <see cref="ICredentialSource.Latest"/> once and passes that set on
    /// (in its <c>PresignTarget</c>), so its cache key and its signature use the same keys across a refresh.
    /// </summary>
    public ICredentialSource CredentialSource { get; }

    public TimeSpan UrlLifetime { get; }

    /// <summary>The store's clock relative to ours; new with each configuration, learned again from responses.</summary>
    public StoreClock Clock { get; } = new();

    /// <summary>Image processing (<c>x-oss-process</c>) is an OSS feature; S3 stores never get it.</summary>
    public bool SupportsImageProcessing => Provider.Overrides.ImageProcess is not null;

    private IUrlPresigner Presigner { get; }

    /// <summary>Now, on the store's clock: the time to sign with and to judge a URL's expiry by.</summary>
    /// <param name="localNow">Our time, read once for the request.</param>
    public DateTimeOffset Now(DateTimeOffset localNow) => localNow + Clock.Offset;

    /// <summary>Signs <paramref name="request"/> with <paramref name="credentials"/>, read once for the request.</summary>
    /// <exception cref="InvalidPresignRequestException">The request breaks a rule of the provider.</exception>
    public PresignedUrl Presign(in PresignRequest request, StoreCredentials credentials, DateTimeOffset signingTime)
        => Presigner.Presign(Location, request, credentials.Credentials, signingTime);

    /// <summary>
    /// The life of a URL signed at <paramref name="storeNow"/> with <paramref name="credentials"/>: <see cref="UrlLifetime"/>,
    /// cut to the whole seconds the credentials have left, so a URL never outlives the keys that signed it; zero once they expired.
    /// </summary>
    public TimeSpan UrlLifetimeFor(StoreCredentials credentials, DateTimeOffset storeNow)
    {
        if (credentials.Expiration is not { } expiration)
        {
            return UrlLifetime;
        }

        long left = (long)Math.Floor((expiration - storeNow).TotalSeconds);
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(left, (long)UrlLifetime.TotalSeconds));
    }

    /// <summary>True once <paramref name="credentials"/> can sign no URL (less than a second left), at our time <paramref name="localNow"/>.</summary>
    public bool HasExpired(StoreCredentials credentials, DateTimeOffset localNow) => UrlLifetimeFor(credentials, Now(localNow)) <= TimeSpan.Zero;

    /// <summary>
    /// The MAC of a shared-tier value: HMAC-SHA256 over the shared cache key (which names this store, the method, the
    /// object and its overrides, so a value can't be moved to another entry), the expiry and the URL.
    /// </summary>
    public static void ComputeSharedValueMac(StoreCredentials credentials, string sharedCacheKey, string url, DateTimeOffset expiresAt, Span<byte> mac)
    {
        int size = sharedCacheKey.Length + Encoding.UTF8.GetMaxByteCount(url.Length) + 24;
        byte[] rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> data = rented.AsSpan(0, size);
            int length = Encoding.UTF8.GetBytes(sharedCacheKey, data);
            data[length++] = (byte)'\n';
            Utf8Formatter.TryFormat(expiresAt.ToUnixTimeSeconds(), data[length..], out int written);
            length += written;
            data[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(url, data[length..]);
            HMACSHA256.HashData(credentials.SharedValueKey, data[..length], mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>True when <paramref name="mac"/> is this store's MAC of the value, compared in constant time.</summary>
    public static bool VerifySharedValueMac(StoreCredentials credentials, string sharedCacheKey, string url, DateTimeOffset expiresAt, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[SharedValueMacSize];
        ComputeSharedValueMac(credentials, sharedCacheKey, url, expiresAt, expected);
        return mac.Length == SharedValueMacSize && CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    public override string ToString() => $"store {Name} ({Scheme}, {Location})";
}
