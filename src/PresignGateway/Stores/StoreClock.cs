namespace PresignGateway.Stores;

/// <summary>
/// How far a store's clock is from ours, learned from the <c>Date</c> header of its responses. V4 signatures carry
/// the signing instant and the store checks it against its own clock, so when the two disagree by more than the
/// threshold, URLs are signed (and their expiry judged) on the store's time instead. Per store, lock-free.
/// </summary>
internal sealed class StoreClock
{
    /// <summary>Skew below this is ordinary transit and Date's one-second resolution; it is not corrected.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(60);

    private long _offsetTicks;

    /// <summary>Add to our time to get the store's.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    /// <summary>Records the store's Date against our clock at the time the response arrived.</summary>
    public void Observe(DateTimeOffset storeDate, DateTimeOffset localNow)
    {
        TimeSpan measured = storeDate - localNow;
        long ticks = measured.Duration() > Threshold ? (measured.Ticks / TimeSpan.TicksPerSecond) * TimeSpan.TicksPerSecond : 0;
        Volatile.Write(ref _offsetTicks, ticks);
    }
}
