using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Derives and caches the V4 signing key, which depends only on (secret, UTC day, region, service): four HMACs saved
/// on every URL but the first of the day. Instance state, one per presigner; bounded so a stream of rotated secrets
/// or a long-running process can't grow it without limit.
/// </summary>
internal sealed class SigningKeyCache
{
    private const int MaxEntries = 256;

    private readonly byte[] _secretPrefix;
    private readonly byte[] _service;
    private readonly byte[] _terminator;
    private readonly ConcurrentDictionary<(string Secret, int Day, string Region), SigningKey> _keys = new();

    /// <param name="secretPrefix"><c>aliyun_v4</c> for OSS, <c>AWS4</c> for S3.</param>
    /// <param name="service"><c>oss</c> or <c>s3</c>.</param>
    /// <param name="terminator"><c>aliyun_v4_request</c> or <c>aws4_request</c>.</param>
    public SigningKeyCache(string secretPrefix, string service, string terminator)
    {
        _secretPrefix = Encoding.ASCII.GetBytes(secretPrefix);
        _service = Encoding.ASCII.GetBytes(service);
        _terminator = Encoding.ASCII.GetBytes(terminator);
    }

    internal int Count => _keys.Count;

    /// <summary>Returns the signing key for the day of <paramref name="utcDay"/> (the <c>yyyyMMdd</c> bytes of the scope).</summary>
    public SigningKey GetKey(Credentials credentials, int dayNumber, ReadOnlySpan<byte> utcDay, BucketLocation location)
    {
        var cacheKey = (credentials.AccessKeySecret, dayNumber, location.Region);
        if (_keys.TryGetValue(cacheKey, out SigningKey? key))
        {
            return key;
        }

        key = new SigningKey(Derive(credentials.SecretUtf8, utcDay, location.RegionUtf8));
        if (_keys.Count >= MaxEntries)
        {
            // Old days and rotated secrets pile up slowly; dropping them all costs one derivation each.
            _keys.Clear();
        }

        return _keys.GetOrAdd(cacheKey, key);
    }

    internal byte[] Derive(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> utcDay, ReadOnlySpan<byte> region)
    {
        int seedLength = _secretPrefix.Length + secret.Length;
        Span<byte> seed = seedLength <= 256 ? stackalloc byte[seedLength] : new byte[seedLength];
        _secretPrefix.CopyTo(seed);
        secret.CopyTo(seed[_secretPrefix.Length..]);

        byte[] key = new byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(seed, utcDay, key);
        HMACSHA256.HashData(key, region, key);
        HMACSHA256.HashData(key, _service, key);
        HMACSHA256.HashData(key, _terminator, key);
        seed.Clear();
        return key;
    }
}
