namespace PresignGateway.Signing;

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
