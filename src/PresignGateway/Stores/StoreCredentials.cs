using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// One set of keys as a credential source hands it out: the credentials, an identity for cache keys and the key that
/// authenticates shared-tier values. Immutable; a rotation makes a new instance.
/// </summary>
internal sealed class StoreCredentials
{
    // HKDF's info: a fixed label, so this key is used for nothing else; bump it with the value's format.
    private static ReadOnlySpan<byte> SharedValueKeyLabel => "presign-gateway shared-cache value mac v2"u8;

    /// <param name="expiration">When temporary keys stop working (on the issuer's clock); null for keys that don't expire.</param>
    public StoreCredentials(Credentials credentials, DateTimeOffset? expiration = null)
    {
        Credentials = credentials;
        Expiration = expiration;
        Identity = credentials.SecurityToken is { } token ? $"{credentials.AccessKeyId}:{TokenHash(token)}" : credentials.AccessKeyId;
        // Derived from the secret: every replica with these keys derives the same key, and a new secret voids every
        // entry written with the old one. Never logged, never in ToString.
        SharedValueKey = new byte[HMACSHA256.HashSizeInBytes];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(credentials.AccessKeySecret), SharedValueKey, salt: [], info: SharedValueKeyLabel);
    }

    public Credentials Credentials { get; }

    /// <summary>When these keys stop working; null for long-term keys. A URL signed with them never outlives it.</summary>
    public DateTimeOffset? Expiration { get; }

    /// <summary>
    /// The key id and a hash of the token: what distinguishes these keys from the ones before and after a rotation,
    /// for cache keys. Holds no secret (the key id only goes into hashed cache keys).
    /// </summary>
    public string Identity { get; }

    /// <summary>The HMAC key of shared-tier values (see <see cref="Store.ComputeSharedValueMac"/>).</summary>
    public byte[] SharedValueKey { get; }

    public override string ToString() => Expiration is { } expiration ? $"{Credentials}, expiring {expiration:O}" : Credentials.ToString();

    private static string TokenHash(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Base64Url.EncodeToString(hash[..12]);
    }
}
