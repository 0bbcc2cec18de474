using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Signing;
using PresignGateway.Stores;

namespace PresignGateway.Presigning;

/// <summary>
/// Everything a presigned URL depends on, and so the identity of a cached one: the store (its instance: a reload that
/// changes keys makes a new one), the credentials (read once per request, so the cache key and the signature use the
/// same set; a rotation makes a new instance, and in the shared tier a new identity), the method, the key and every
/// signed override.
/// </summary>
internal readonly record struct PresignTarget(
    Store Store, StoreCredentials Credentials, PresignMethod Method, string Key, string? VersionId, string? ContentDisposition, string? ImageProcess)
{
    /// <summary>The query parameters to sign, in a fixed order.</summary>
    public QueryParameter[] SignedQuery()
    {
        int count = (VersionId is null ? 0 : 1) + (ContentDisposition is null ? 0 : 1) + (ImageProcess is null ? 0 : 1);
        if (count == 0)
        {
            return [];
        }

        var query = new QueryParameter[count];
        int i = 0;
        OverrideQueryNames names = Store.Provider.Overrides;
        if (VersionId is not null)
        {
            query[i++] = new QueryParameter(names.VersionId, VersionId);
        }

        if (ContentDisposition is not null)
        {
            query[i++] = new QueryParameter(names.ContentDisposition, ContentDisposition);
        }

        if (ImageProcess is not null)
        {
            // A site offers image processing only on a store whose provider has it (Store.SupportsImageProcessing).
            query[i] = new QueryParameter(names.ImageProcess!, ImageProcess);
        }

        return query;
    }

    /// <summary>
    /// The shared (Redis) cache key: a versioned prefix and a SHA-256 over every part, so it has a fixed length
    /// (object keys reach 1,023 bytes; HybridCache skips keys over 1,024 characters) and quotes nothing: Redis errors
    /// print keys, and this one names no object and no access key.
    /// </summary>
    public string SharedCacheKey()
    {
        var text = new StringBuilder(256)
            .Append(Store.Name).Append('\n')
            .Append(Credentials.Identity).Append('\n')
            .Append(Store.Scheme).Append('\n')
            .Append(Store.Location.Host).Append('\n')
            .Append(Store.Location.Bucket).Append('\n')
            .Append(Store.Location.Addressing).Append('\n')
            .Append(Method).Append('\n')
            .Append(Key).Append('\n')
            .Append(VersionId is null ? "-" : "v:" + VersionId).Append('\n')
            .Append(ContentDisposition is null ? "-" : "d:" + ContentDisposition).Append('\n')
            .Append(ImageProcess is null ? "-" : "p:" + ImageProcess);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        return string.Concat(KeyPrefix, Base64Url.EncodeToString(hash));
    }

    /// <summary>Bump the version when the cached value's shape or meaning changes, so replicas never share old entries.</summary>
    public const string KeyPrefix = "presign:v2:";

    public override string ToString() => $"{Method} in {Store.Name}";
}
