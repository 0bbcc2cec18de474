namespace PresignGateway.Signing;

/// <summary>
/// What to presign in a bucket: method, raw object key (or none, for a bucket-level request such as a listing),
/// URL lifetime and extra signed query parameters.
/// </summary>
public readonly struct PresignRequest
{
    /// <param name="method">GET or HEAD: the method is signed, so a URL works for that method only.</param>
    /// <param name="key">The object key as raw UTF-8 text, not percent-encoded; an empty key is refused when presigning.</param>
    /// <param name="lifetime">How long the URL stays valid, in whole seconds.</param>
    /// <param name="query">Extra parameters to sign (versionId, response-content-disposition, x-oss-process, ...), raw values.</param>
    public PresignRequest(PresignMethod method, string key, TimeSpan lifetime, IReadOnlyList<QueryParameter>? query = null)
        : this(method, key, lifetime, query, isBucketRequest: false)
    {
    }

    private PresignRequest(PresignMethod method, string key, TimeSpan lifetime, IReadOnlyList<QueryParameter>? query, bool isBucketRequest)
    {
        Method = method;
        Key = key;
        Lifetime = lifetime;
        Query = query ?? [];
        IsBucketRequest = isBucketRequest;
    }

    public PresignMethod Method { get; }

    /// <summary>The raw object key; empty for a bucket-level request.</summary>
    public string Key { get; }

    public TimeSpan Lifetime { get; }

    public IReadOnlyList<QueryParameter> Query { get; }

    /// <summary>
    /// True for a request on the bucket itself (no object key): the URL path is <c>/</c>, or <c>/bucket/</c> in path
    /// style, and the OSS canonical resource is <c>/bucket/</c>, as the official SDKs sign ListObjectsV2.
    /// </summary>
    public bool IsBucketRequest { get; }

    /// <summary>A request on the bucket itself, such as ListObjectsV2 (see <see cref="ListObjectsQuery"/>).</summary>
    /// <param name="method">GET or HEAD.</param>
    /// <param name="lifetime">How long the URL stays valid, in whole seconds.</param>
    /// <param name="query">The parameters, raw values. OSS V4 and S3 sign them all; OSS V1 signs only its sub-resources.</param>
    public static PresignRequest ForBucket(PresignMethod method, TimeSpan lifetime, IReadOnlyList<QueryParameter> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new PresignRequest(method, "", lifetime, query, isBucketRequest: true);
    }
}
