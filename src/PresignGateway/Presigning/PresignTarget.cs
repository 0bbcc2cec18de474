using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PresignGateway.Signing;
using PresignGateway.Sites;

namespace PresignGateway.Presigning;

/// <summary>
/// Everything a presigned URL depends on, and so the identity of a cached one: the store (its instance: a reload that
/// changes keys makes a new one), the method, the key and every signed override.
/// </summary>
internal readonly record struct PresignTarget(
    StoreTarget Store, PresignMethod Method, string Key, string? VersionId, string? ContentDisposition, string? ImageProcess)
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
        if (VersionId is not null)
        {
            query[i++] = new QueryParameter("versionId", VersionId);
        }

        if (ContentDisposition is not null)
        {
            query[i++] = new QueryParameter("response-content-disposition", ContentDisposition);
        }

        if (ImageProcess is not null)
        {
            query[i] = new QueryParameter("x-oss-process", ImageProcess);
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
            .Append(Store.Credentials.AccessKeyId).Append('\n')
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

/// <summary>A presigned URL as cached: immutable, and its ToString never shows the URL (a bearer credential).</summary>
[System.ComponentModel.ImmutableObject(true)]
internal sealed record CachedPresignedUrl(string Url, DateTimeOffset ExpiresAt)
{
    // The exact bytes that were signed: no canonicalisation of dot segments or escapes.
    private static readonly UriCreationOptions ExactUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private Uri? _requestUri;
    private int _sharedCheck;

    /// <summary>The URL as a <see cref="System.Uri"/>, parsed once per cached entry rather than once per request.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Uri RequestUri => _requestUri ??= new Uri(Url, ExactUri);

    /// <summary>
    /// The MAC that authenticates this value in the shared tier (<see cref="StoreTarget.ComputeSharedValueMac"/>);
    /// empty for a value that could not be read.
    /// </summary>
    internal byte[] Mac { get; init; } = [];

    /// <summary>Read from the shared tier: not to be used before <see cref="PresignedUrlCache"/> has checked it.</summary>
    internal bool FromSharedTier { get; init; }

    /// <summary>A shared-tier value that could not be parsed; it fails every check.</summary>
    internal static CachedPresignedUrl Malformed() => new(string.Empty, DateTimeOffset.MinValue) { FromSharedTier = true };

    /// <summary>
    /// Records the outcome of the shared-tier check once per value (callers that joined one Redis read share the
    /// instance). Returns the outcome that stands, and whether this caller recorded it.
    /// </summary>
    internal bool RecordSharedCheck(bool passed, out bool first)
    {
        int outcome = passed ? 1 : 2;
        int previous = Interlocked.CompareExchange(ref _sharedCheck, outcome, 0);
        first = previous == 0;
        return (first ? outcome : previous) == 1;
    }

    /// <summary>True when an earlier caller already found this shared-tier value good.</summary>
    internal bool PassedSharedCheck => Volatile.Read(ref _sharedCheck) == 1;

    public override string ToString() => $"CachedPresignedUrl {{ ExpiresAt = {ExpiresAt:O} }}";
}
