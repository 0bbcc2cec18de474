using PresignGateway.Diagnostics;

namespace PresignGateway.Stores;

/// <summary>
/// Runs one refresh loop per refreshing credential source of the configuration in force. A reload builds new stores:
/// a source whose settings didn't change is handed back (<see cref="Reuse"/>) so its keys and loop carry over; the
/// table put in force is <see cref="Commit"/>ted, which starts the new sources' loops and stops the ones no store
/// uses any more. Loops start with the host (fetching at once) and stop with it.
/// </summary>
internal sealed class CredentialRefresher(CredentialFetchContext context, GatewayMetrics metrics, ILogger<CredentialRefresher> logger) : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly Dictionary<RefreshingCredentialSource, CancellationTokenSource?> _running = [];
    private readonly List<Task> _loops = [];
    private readonly List<CancellationTokenSource?> _retired = [];
    private CancellationToken? _stopping;

    /// <summary>The running source with <paramref name="candidate"/>'s settings, or the candidate when there is none.</summary>
    public RefreshingCredentialSource Reuse(RefreshingCredentialSource candidate)
    {
        lock (_lock)
        {
            foreach (RefreshingCredentialSource running in _running.Keys)
            {
                if (string.Equals(running.Fingerprint, candidate.Fingerprint, StringComparison.Ordinal))
                {
                    return running;
                }
            }
        }

        return candidate;
    }

    /// <summary>The sources of the configuration now in force: starts those not yet running, stops the others.</summary>
    public void Commit(IEnumerable<ICredentialSource> sources)
    {
        var inForce = sources.OfType<RefreshingCredentialSource>().ToHashSet();
        lock (_lock)
        {
            foreach ((RefreshingCredentialSource source, CancellationTokenSource? loop) in _running.ToArray())
            {
                if (!inForce.Contains(source))
                {
                    // Disposed with the refresher: the loop may still be registering on its token.
                    loop?.Cancel();
                    _retired.Add(loop);
                    _running.Remove(source);
                }
            }

            foreach (RefreshingCredentialSource source in inForce)
            {
                if (!_running.ContainsKey(source))
                {
                    _running[source] = _stopping is { } stopping ? Start(source, stopping) : null;
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lock (_lock)
        {
            _stopping = stoppingToken;
            foreach (RefreshingCredentialSource source in _running.Keys.ToArray())
            {
                _running[source] ??= Start(source, stoppingToken);
            }
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loops see the same token.
        }

        Task[] loops;
        lock (_lock)
        {
            loops = [.. _loops];
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        lock (_lock)
        {
            foreach (CancellationTokenSource? loop in _running.Values.Concat(_retired))
            {
                loop?.Dispose();
            }

            _running.Clear();
            _retired.Clear();
        }

        base.Dispose();
    }

    // Under _lock.
    private CancellationTokenSource Start(RefreshingCredentialSource source, CancellationToken stopping)
    {
        var loop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _loops.RemoveAll(task => task.IsCompleted);
        _loops.Add(Task.Run(() => source.RunAsync(context, metrics, logger, loop.Token), CancellationToken.None));
        return loop;
    }
}
