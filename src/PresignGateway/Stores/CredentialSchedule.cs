namespace PresignGateway.Stores;

/// <summary>When a refreshing source asks again: ahead of expiry after a success, with jittered backoff after a failure.</summary>
internal static class CredentialSchedule
{
    /// <summary>The shortest wait between two fetches, so a source that hands out nearly expired keys can't spin.</summary>
    public static readonly TimeSpan MinimumWait = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait after a failure.</summary>
    public static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long to wait before refreshing keys that have <paramref name="life"/> left: until <paramref name="refreshBefore"/>
    /// ahead of their expiry, or, when they live less than twice that, half their life (keys of 20 minutes with the
    /// default 15 would otherwise be refreshed after 5 and spend most of their life being replaced; at half life a
    /// failed refresh still leaves the other half to retry in).
    /// </summary>
    public static TimeSpan UntilRefresh(TimeSpan life, TimeSpan refreshBefore)
    {
        TimeSpan wait = life < 2 * refreshBefore ? life / 2 : life - refreshBefore;
        return wait < MinimumWait ? MinimumWait : wait;
    }

    /// <summary>
    /// The wait after the <paramref name="failures"/>-th failure in a row: 1, 2, 4, ... seconds up to 60, each scaled
    /// by a jitter between 0.5 and 1 (<paramref name="random"/> in [0, 1)) so replicas that failed together don't
    /// retry together; never under a second.
    /// </summary>
    public static TimeSpan Backoff(int failures, double random)
    {
        double ceiling = Math.Min(MaximumBackoff.TotalSeconds, Math.Pow(2, Math.Clamp(failures - 1, 0, 16)));
        double seconds = Math.Max(MinimumWait.TotalSeconds, ceiling * (0.5 + (Math.Clamp(random, 0, 1) / 2)));
        return TimeSpan.FromSeconds(seconds);
    }
}
