using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Signing;

namespace PresignGateway.Sites;

/// <summary>A configured store, ready to sign for: its signer, bucket location, credentials and URL lifetime.</summary>
internal sealed class StoreTarget
{
    /// <summary>Size of the MAC on a shared-tier value (HMAC-SHA256).</summary>
    public const int SharedValueMacSize = HMACSHA256.HashSizeInBytes;

    // HKDF's info: a fixed label, so this key is used for nothing else; bump it with the value's format.
    private static ReadOnlySpan<byte> SharedValueKeyLabel => "presign-gateway shared-cache value mac v2"u8;

    // Derived from the store's secret: every replica of this store derives the same key, and a new secret voids
    // every entry written with the old one. Never logged, never in ToString.
    private readonly byte[] _sharedValueKey;

    public StoreTarget(string name, IUrlPresigner presigner, BucketLocation location, Credentials credentials, TimeSpan urlLifetime)
    {
        Name = name;
        Presigner = presigner;
        Location = location;
        Credentials = credentials;
        UrlLifetime = urlLifetime;
        _sharedValueKey = new byte[SharedValueMacSize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(credentials.AccessKeySecret), _sharedValueKey, salt: [], info: SharedValueKeyLabel);
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

    /// <summary>
    /// The MAC of a shared-tier value: HMAC-SHA256 over the shared cache key (which names this store, the method, the
    /// object and its overrides, so a value can't be moved to another entry), the expiry and the URL.
    /// </summary>
    public void ComputeSharedValueMac(string sharedCacheKey, string url, DateTimeOffset expiresAt, Span<byte> mac)
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
            HMACSHA256.HashData(_sharedValueKey, data[..length], mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>True when <paramref name="mac"/> is this store's MAC of the value, compared in constant time.</summary>
    public bool VerifySharedValueMac(string sharedCacheKey, string url, DateTimeOffset expiresAt, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[SharedValueMacSize];
        ComputeSharedValueMac(sharedCacheKey, url, expiresAt, expected);
        return mac.Length == SharedValueMacSize && CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    public override string ToString() => $"store {Name} ({Scheme}, {Location})";
}
