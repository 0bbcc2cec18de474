namespace PresignGateway.Signing;

/// <summary>What to presign in a bucket: method, raw object key, URL lifetime and extra signed query parameters.</summary>
public readonly struct PresignRequest
{
    /// <param name="method">GET or HEAD: the method is signed, so a URL works for that method only.</param>
    /// <param name="key">The object key as raw UTF-8 text, not percent-encoded.</param>
    /// <param name="lifetime">How long the URL stays valid, in whole seconds.</param>
    /// <param name="query">Extra parameters to sign (versionId, response-content-disposition, x-oss-process, ...), raw values.</param>
    public PresignRequest(PresignMethod method, string key, TimeSpan lifetime, IReadOnlyList<QueryParameter>? query = null)
    {
        Method = method;
        Key = key;
        Lifetime = lifetime;
        Query = query ?? [];
    }

    public PresignMethod Method { get; }

    public string Key { get; }

    public TimeSpan Lifetime { get; }

    public IReadOnlyList<QueryParameter> Query { get; }
}
