using PresignGateway.Stores;

namespace PresignGateway.Presigning;

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
    /// The MAC that authenticates this value in the shared tier (<see cref="Store.ComputeSharedValueMac"/>);
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
