namespace PresignGateway.Presigning;

/// <summary>
/// Drops HybridCache's own lines for a failed read or write of the shared tier (Redis): one Error with a 2.7 KB stack
/// trace per operation, two per cache miss while Redis is down. <see cref="RedisOutageLog"/> reports the outage
/// instead. HybridCache's other lines (a value that won't deserialize, a key or payload over the limits) pass.
/// </summary>
/// <remarks>
/// Matched by event id and, should a later version renumber them, by event name; a test runs the real HybridCache
/// against a dead redis-server, so a change in either shows. A filter rule can't select events, so the logger is wrapped
/// (in <see cref="Hosting.PinnedLoggerFactory"/>).
/// </remarks>
internal sealed class SharedTierLogFilter(ILogger inner) : ILogger
{
    private const string CategoryPrefix = "Microsoft.Extensions.Caching.Hybrid";

    public static bool Applies(string category)
        => category.StartsWith(CategoryPrefix, StringComparison.Ordinal) && (category.Length == CategoryPrefix.Length || category[CategoryPrefix.Length] == '.');

    public static bool IsSharedTierFailure(EventId eventId)
        => eventId.Id is 6 or 7 || eventId.Name is "CacheBackendReadFailure" or "CacheBackendWriteFailure";

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsSharedTierFailure(eventId))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
