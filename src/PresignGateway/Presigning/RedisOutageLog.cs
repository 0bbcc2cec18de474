using PresignGateway.Diagnostics;
using StackExchange.Redis;

namespace PresignGateway.Presigning;

/// <summary>
/// Turns the shared tier's failures into a few log lines: one Warning when Redis stops answering, a count once a minute
/// while it stays down, one Information line when it answers again. Downloads never wait for it: HybridCache signs
/// locally on every failure, and its own per-operation error lines (a stack trace each) are filtered out
/// (<see cref="SharedTierLogFilter"/>), so without this an outage would be silent, and with HybridCache's lines a
/// flood.
/// </summary>
/// <remarks>
/// A success ends the outage only for an operation that started after it began (<see cref="Epoch"/>): one that Redis
/// answered just before it died may finish after the first failure was seen.
/// </remarks>
internal sealed class RedisOutageLog : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Func<bool> _isConnected;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private int _epoch;
    private int _down;
    private long _failedSinceReport;
    private long _failedBefore;
    private long _downSince;
    private ITimer? _timer;

    public RedisOutageLog(TimeProvider time, Func<bool> isConnected, ILogger<RedisOutageLog> logger)
    {
        _time = time;
        _isConnected = isConnected;
        _logger = logger;
    }

    /// <summary>Read before each operation and handed back to <see cref="Succeeded"/>.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>An operation that started at <paramref name="startedEpoch"/> succeeded: the cheap common case is one read.</summary>
    public void Succeeded(int startedEpoch)
    {
        if (Volatile.Read(ref _down) == 0 || startedEpoch != Volatile.Read(ref _epoch))
        {
            return;
        }

        lock (_lock)
        {
            if (_down == 1 && startedEpoch == _epoch)
            {
                Recover();
            }
        }
    }

    public void Failed(string operation, Exception exception)
    {
        if (Volatile.Read(ref _down) == 1)
        {
            Interlocked.Increment(ref _failedSinceReport);
            return;
        }

        lock (_lock)
        {
            Interlocked.Increment(ref _failedSinceReport);
            if (_down == 1)
            {
                return;
            }

            _failedBefore = 0;
            _downSince = _time.GetTimestamp();
            Volatile.Write(ref _epoch, _epoch + 1);
            Volatile.Write(ref _down, 1);
            // The kind of failure only: StackExchange.Redis messages quote the Redis key.
            Log.RedisDown(_logger, operation, Describe(exception));
            _timer = _time.CreateTimer(static state => ((RedisOutageLog)state!).Report(), this, Period, Period);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Report()
    {
        lock (_lock)
        {
            if (_down == 0)
            {
                return;
            }

            long failed = Interlocked.Exchange(ref _failedSinceReport, 0);
            _failedBefore += failed;
            if (failed > 0)
            {
                Log.RedisStillDown(_logger, failed);
            }
            else if (_isConnected())
            {
                // Nothing tried Redis for a minute and the connection is back: nothing says it is still down.
                Recover();
            }
        }
    }

    private void Recover()
    {
        long failed = _failedBefore + Interlocked.Exchange(ref _failedSinceReport, 0);
        _timer?.Dispose();
        _timer = null;
        Volatile.Write(ref _down, 0);
        Log.RedisBack(_logger, (long)Math.Round(_time.GetElapsedTime(_downSince).TotalSeconds), failed);
    }

    private static string Describe(Exception exception) => exception switch
    {
        RedisConnectionException connection => connection.FailureType.ToString(),
        RedisTimeoutException or TimeoutException => "Timeout",
        _ => exception.GetType().Name,
    };
}
