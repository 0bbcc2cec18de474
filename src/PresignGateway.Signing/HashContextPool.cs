using System.Security.Cryptography;

namespace PresignGateway.Signing;

/// <summary>
/// A small lock-free pool of reusable hash contexts. On Linux each one-shot SHA-256 or HMAC call makes OpenSSL 3 build
/// and free a context, about 0.5 µs of fixed cost, more than hashing a canonical request itself; a context kept and
/// reset with <see cref="IncrementalHash.GetHashAndReset(Span{byte})"/> skips that.
/// </summary>
internal sealed class HashContextPool
{
    private readonly IncrementalHash?[] _items = new IncrementalHash?[Math.Max(4, Environment.ProcessorCount * 2)];
    private readonly Func<IncrementalHash> _create;

    public HashContextPool(Func<IncrementalHash> create) => _create = create;

    public static HashContextPool ForSha256() => new(static () => IncrementalHash.CreateHash(HashAlgorithmName.SHA256));

    public static HashContextPool ForHmacSha256(byte[] key) => new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));

    /// <summary>Hashes <paramref name="data"/> into <paramref name="destination"/> with a pooled context.</summary>
    public void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        IncrementalHash hash = Rent();
        try
        {
            hash.AppendData(data);
            hash.GetHashAndReset(destination);
        }
        catch
        {
            // A context that failed mid-way is in an unknown state: never pool it again.
            hash.Dispose();
            throw;
        }

        Return(hash);
    }

    private IncrementalHash Rent()
    {
        IncrementalHash?[] items = _items;
        for (int i = 0; i < items.Length; i++)
        {
            IncrementalHash? hash = Interlocked.Exchange(ref items[i], null);
            if (hash is not null)
            {
                return hash;
            }
        }

        return _create();
    }

    private void Return(IncrementalHash hash)
    {
        IncrementalHash?[] items = _items;
        for (int i = 0; i < items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref items[i], hash, null) is null)
            {
                return;
            }
        }

        hash.Dispose();
    }
}
