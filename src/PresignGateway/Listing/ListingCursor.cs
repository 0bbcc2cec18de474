using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Stores;

namespace PresignGateway.Listing;

/// <summary>
/// The client's <c>?page=</c>: the store's continuation token, base64url, a '.', and a 128-bit HMAC-SHA256 tag over the
/// site, the listed prefix and the token. With static keys the tag is keyed from the secret (every replica with the
/// same keys accepts it), so a client can neither make up a token for the store nor move a cursor to another directory
/// or site. A store with refreshing keys has no secret that all replicas share and that outlives a rotation (each pod
/// holds its own STS session), so its tag is keyed from the store's name and location: a cursor then works on every
/// replica and across rotations, and the tag only catches edited or moved cursors. Forging one gains nothing: the
/// prefix always comes from the path, the store refuses tokens it didn't issue (400), and the reader drops any entry
/// outside the prefix.
/// </summary>
internal static class ListingCursor
{
    /// <summary>The longest token accepted from a store (S3's and OSS's are well under 200 characters).</summary>
    public const int MaxTokenBytes = 1024;

    /// <summary>The longest cursor: the base64url of <see cref="MaxTokenBytes"/>, the dot and the tag.</summary>
    public const int MaxLength = (MaxTokenBytes * 4 / 3) + 4 + 1 + 22;

    private const int TagBytes = 16;

    private static ReadOnlySpan<byte> Label => "presign-gateway listing cursor v1\n"u8;

    /// <summary>The cursor for <paramref name="token"/>, or null when the store's token is too long to hand out.</summary>
    public static string? Encode(Store store, string site, string prefix, string token)
    {
        byte[] tokenBytes = Encoding.UTF8.GetBytes(token);
        if (tokenBytes.Length > MaxTokenBytes)
        {
            return null;
        }

        Span<byte> tag = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(store, site, prefix, tokenBytes, tag);
        return string.Concat(Base64Url.EncodeToString(tokenBytes), ".", Base64Url.EncodeToString(tag[..TagBytes]));
    }

    /// <summary>The token inside <paramref name="cursor"/>, or false when it is malformed or its tag doesn't verify.</summary>
    public static bool TryDecode(Store store, string site, string prefix, string cursor, out string token)
    {
        token = "";
        int dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (cursor.Length > MaxLength || dot <= 0 || !Base64Url.IsValid(cursor.AsSpan(0, dot)) || !Base64Url.IsValid(cursor.AsSpan(dot + 1)))
        {
            return false;
        }

        byte[] tokenBytes = Base64Url.DecodeFromChars(cursor.AsSpan(0, dot));
        Span<byte> given = stackalloc byte[TagBytes + 2];
        if (Base64Url.DecodeFromChars(cursor.AsSpan(dot + 1), given, out _, out int tagLength) != OperationStatus.Done || tagLength != TagBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(store, site, prefix, tokenBytes, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected[..TagBytes], given[..TagBytes]))
        {
            return false;
        }

        token = Encoding.UTF8.GetString(tokenBytes);
        return true;
    }

    private static void Mac(Store store, string site, string prefix, ReadOnlySpan<byte> token, Span<byte> tag)
    {
        // label, site, prefix, token: the lengths are fixed by the newlines (site names and keys have no control characters).
        int size = Label.Length + Encoding.UTF8.GetByteCount(site) + Encoding.UTF8.GetByteCount(prefix) + token.Length + 2;
        byte[] message = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int length = 0;
            Label.CopyTo(message);
            length += Label.Length;
            length += Encoding.UTF8.GetBytes(site, message.AsSpan(length));
            message[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(prefix, message.AsSpan(length));
            message[length++] = (byte)'\n';
            token.CopyTo(message.AsSpan(length));
            length += token.Length;
            HMACSHA256.HashData(store.CredentialSource.StableMacKey ?? LocationKey(store), message.AsSpan(0, length), tag);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    private static byte[] LocationKey(Store store)
        => SHA256.HashData(Encoding.UTF8.GetBytes($"presign-gateway listing cursor key\n{store.Name}\n{store.Location}"));
}
