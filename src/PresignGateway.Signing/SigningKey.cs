namespace PresignGateway.Signing;

/// <summary>A derived signing key with its pool of keyed HMAC contexts.</summary>
internal sealed class SigningKey
{
    public SigningKey(byte[] key)
    {
        Key = key;
        Hmac = HashContextPool.ForHmacSha256(key);
    }

    public byte[] Key { get; }

    public HashContextPool Hmac { get; }
}
