using PresignGateway.Stores;

namespace PresignGateway.Tests.Stores;

/// <summary>When a refreshing source asks again: RefreshBefore ahead of expiry, half life for short keys, bounded jittered backoff.</summary>
public sealed class CredentialScheduleTests
{
    [Theory]
    [InlineData(3600, 900, 2700)] // an hour's keys: 15 minutes ahead
    [InlineData(1800, 900, 900)] // exactly twice RefreshBefore: still 15 minutes ahead
    [InlineData(1200, 900, 600)] // shorter: at half life
    [InlineData(12, 10, 6)]
    [InlineData(1, 900, 1)] // never under a second
    [InlineData(0, 900, 1)]
    public void Refresh_comes_refresh_before_ahead_or_at_half_life(int lifeSeconds, int refreshBeforeSeconds, int waitSeconds)
        => Assert.Equal(TimeSpan.FromSeconds(waitSeconds), CredentialSchedule.UntilRefresh(TimeSpan.FromSeconds(lifeSeconds), TimeSpan.FromSeconds(refreshBeforeSeconds)));

    [Theory]
    [InlineData(1, 0.0, 1)]
    [InlineData(1, 0.999, 1)]
    [InlineData(2, 0.0, 1)]
    [InlineData(2, 1.0, 2)]
    [InlineData(4, 0.0, 4)]
    [InlineData(4, 1.0, 8)]
    [InlineData(7, 1.0, 60)]
    [InlineData(7, 0.0, 30)]
    [InlineData(1000, 1.0, 60)]
    public void Backoff_doubles_with_jitter_between_one_second_and_a_minute(int failures, double random, double seconds)
        => Assert.Equal(seconds, CredentialSchedule.Backoff(failures, random).TotalSeconds, precision: 3);
}
