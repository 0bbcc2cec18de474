namespace PresignGateway.Tests.Infrastructure;

/// <summary>Waits for a condition that the gateway reaches on its own time (a connection, a background write).</summary>
public static class Eventually
{
    /// <summary>Polls every 50 ms; throws <see cref="OperationCanceledException"/> when <paramref name="limit"/> passes first.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
