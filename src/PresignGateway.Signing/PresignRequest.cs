namespace PresignGateway.Signing;

/// <summary>An extra query parameter that is signed into the URL, with its raw (unencoded) name and value.</summary>
public readonly record struct QueryParameter(string Name, string Value);

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

/// <summary>
/// A presigned URL and the instant it stops working. The URL is a bearer credential: <see cref="ToString"/> shows
/// only the expiry, so the value can't leak through a log line by accident.
/// </summary>
public readonly struct PresignedUrl
{
    public PresignedUrl(string url, DateTimeOffset expiresAt)
    {
        Url = url;
        ExpiresAt = expiresAt;
    }

    /// <summary>The URL to send, exactly as signed: hand it on unchanged.</summary>
    public string Url { get; }

    public DateTimeOffset ExpiresAt { get; }

    public override string ToString() => $"PresignedUrl {{ ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>Presigns object URLs for one signing scheme. Implementations are pure functions of their inputs and thread-safe.</summary>
public interface IUrlPresigner
{
    SigningScheme Scheme { get; }

    /// <summary>Builds the URL for <paramref name="request"/> in <paramref name="location"/>, signed at <paramref name="signingTime"/>.</summary>
    /// <exception cref="InvalidPresignRequestException">An input breaks a rule of the scheme.</exception>
    PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime);
}

/// <summary>Creates the presigner for a scheme.</summary>
public static class UrlPresigners
{
    public static IUrlPresigner Create(SigningScheme scheme) => scheme switch
    {
        SigningScheme.OssV4 => new OssV4Presigner(),
        SigningScheme.OssV1 => new OssV1Presigner(),
        SigningScheme.S3V4 => new S3V4Presigner(),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown signing scheme."),
    };
}
