using StackExchange.Redis;

namespace PresignGateway.Presigning;

/// <summary>
/// The one Redis connection behind the shared tier, tuned so that Redis can never hold a download up for long:
/// short operation timeouts, fail-fast while disconnected (the default backlog makes every cold request wait about
/// 5 s when Redis is down), no abort when the first connect fails, and reconnection in the background, so the tier
/// comes back by itself when Redis does.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _options;
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer;

    public RedisConnection(string configuration, TimeSpan operationTimeout)
    {
        _options = ConfigurationOptions.Parse(configuration);
        _options.AbortOnConnectFail = false;
        _options.BacklogPolicy = BacklogPolicy.FailFast;
        _options.AsyncTimeout = (int)operationTimeout.TotalMilliseconds;
        _options.SyncTimeout = (int)operationTimeout.TotalMilliseconds;
        _options.ConnectTimeout = Math.Max(_options.ConnectTimeout > 0 ? Math.Min(_options.ConnectTimeout, 2000) : 1000, (int)operationTimeout.TotalMilliseconds);
        _options.ConnectRetry = 1;
        _options.KeepAlive = 5;
        _options.ReconnectRetryPolicy = new LinearRetry(500);
        _multiplexer = new Lazy<Task<IConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>True once connected and while the connection is up; false when configured but down.</summary>
    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully && _multiplexer.Value.Result.IsConnected;

    /// <summary>The multiplexer, created on first use; for <c>RedisCacheOptions.ConnectionMultiplexerFactory</c>.</summary>
    public Task<IConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            await _multiplexer.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
        => await ConnectionMultiplexer.ConnectAsync(_options).ConfigureAwait(false);
}
