namespace PresignGateway.Diagnostics;

/// <summary>A cache tier whose size the gauges report.</summary>
internal interface IMeasuredTier
{
    /// <summary>Bytes charged to the tier.</summary>
    long Bytes { get; }

    /// <summary>Entries held.</summary>
    int Count { get; }
}
