using PresignGateway.Diagnostics;

namespace PresignGateway.Stores;

/// <summary>
/// Temporary keys that a fetcher renews in the background (<see cref="RunAsync"/>, started by
/// <see cref="CredentialRefresher"/>): <see cref="Latest"/> is one volatile read of an immutable set. A failed refresh
/// keeps the set in force until it expires; each failure is logged once per reason (then a count a minute), with the
/// store, the source and the endpoint's host, never a stack trace.
/// </summary>
internal sealed class RefreshingCredentialSource : ICredentialSource
{
    private static readonly TimeSpan RepeatPeriod = TimeSpan.FromMinutes(1);

    private readonly TimeSpan _refreshBefore;
    private volatile StoreCredentials? _latest;
    private volatile string? _failure;

    // The loop's own state: one loop per source, so no lock.
    private string? _loggedReason;
    private DateTimeOffset _loggedAt;

    public RefreshingCredentialSource(string store, ICredentialFetcher fetcher, TimeSpan refreshBefore)
    {
        Store = store;
        Fetcher = fetcher;
        _refreshBefore = refreshBefore;
        Description = $"{fetcher.SourceName} ({fetcher.EndpointHost})";
        Fingerprint = $"{store}\n{fetcher.Fingerprint}\n{refreshBefore.Ticks}";
    }

    public string Store { get; }

    public ICredentialFetcher Fetcher { get; }

    public StoreCredentials? Latest => _latest;

    public string Description { get; }

    public string? Failure => _failure;

    /// <summary>Equal when a reload leaves this store's source as it was, so the running source (and its keys) carries over.</summary>
    public string Fingerprint { get; }

    /// <summary>Fetches now, then before each expiry, until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CredentialFetchContext context, GatewayMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                StoreCredentials fetched = await Fetcher.FetchAsync(context, cancellationToken).ConfigureAwait(false);
                StoreCredentials? previous = _latest;
                _latest = fetched;
                _failure = null;
                DateTimeOffset now = context.Time.GetUtcNow();
                wait = CredentialSchedule.UntilRefresh(fetched.Expiration!.Value - now, _refreshBefore);
                CountRefresh(metrics, "success");
                // The first keys, and the first after failures, are announced as fetched; any other set is a routine refresh.
                if (failures > 0 || previous is null)
                {
                    Log.CredentialsFetched(logger, Store, Fetcher.SourceName, Fetcher.EndpointHost, fetched.Expiration.Value, failures);
                }
                else
                {
                    Log.CredentialsRefreshed(logger, Store, Fetcher.SourceName, fetched.Expiration.Value, wait);
                }

                failures = 0;
                _loggedReason = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Anything else (a handler's own exception) is a failed attempt too: the loop must outlive it.
                string reason = e is CredentialFetchException ? e.Message : $"the request failed ({e.GetType().Name})";
                failures++;
                _failure = reason;
                CountRefresh(metrics, "failure");
                ReportFailure(reason, failures, context.Time.GetUtcNow(), logger);
                wait = CredentialSchedule.Backoff(failures, Random.Shared.NextDouble());
            }

            try
            {
                await Task.Delay(wait, context.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void CountRefresh(GatewayMetrics metrics, string outcome)
        => metrics.CredentialRefreshes.Add(1, new KeyValuePair<string, object?>("store", Store), new KeyValuePair<string, object?>("outcome", outcome));

    private void ReportFailure(string reason, int failures, DateTimeOffset now, ILogger logger)
    {
        if (!string.Equals(reason, _loggedReason, StringComparison.Ordinal))
        {
            StoreCredentials? latest = _latest;
            string state = latest?.Expiration is { } expiration && expiration > now
                ? $"the current credentials serve until {expiration:yyyy-MM-dd'T'HH:mm:ss'Z'}"
                : "requests for the store get 503 until credentials are fetched";
            Log.CredentialsFailed(logger, Store, Fetcher.SourceName, Fetcher.EndpointHost, reason, state);
            _loggedReason = reason;
            _loggedAt = now;
            return;
        }

        if (now - _loggedAt >= RepeatPeriod)
        {
            Log.CredentialsStillFailing(logger, Store, Fetcher.SourceName, Fetcher.EndpointHost, failures, reason);
            _loggedAt = now;
        }
    }

    public override string ToString() => $"credentials of store {Store} from {Description}";
}
