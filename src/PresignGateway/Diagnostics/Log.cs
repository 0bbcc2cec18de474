namespace PresignGateway.Diagnostics;

/// <summary>
/// Every log message of the gateway, source-generated, with fixed event ids. None of them takes a URL, a query
/// string, a key id, a secret or a signature: a presigned URL is a bearer credential.
/// </summary>
internal static partial class Log
{
    // 30-39: hosting (listeners, configuration files, the secrets directory). Kept at the top, apart from the rest.
    [LoggerMessage(30, LogLevel.Information, "Prometheus metrics are served at {Address} only (Gateway:Telemetry:MetricsUrl).")]
    public static partial void MetricsListening(ILogger logger, string address);

    [LoggerMessage(31, LogLevel.Information, "Watching the configuration file {Path} ({State}); a change applies without a restart.")]
    public static partial void WatchingConfigurationFile(ILogger logger, string path, string state);

    [LoggerMessage(32, LogLevel.Information, "Polling the secrets directory {Path} (Gateway:SecretsDirectory); a change applies without a restart.")]
    public static partial void WatchingSecretsDirectory(ILogger logger, string path);

    [LoggerMessage(33, LogLevel.Error, "The configuration file {Path} failed to load and none of its settings are read; no configuration change applies until it is fixed, and the configuration from before stays in force. {Reason}")]
    public static partial void ConfigurationFileFailed(ILogger logger, string path, string reason);

    [LoggerMessage(34, LogLevel.Information, "The configuration file {Path} loads again.")]
    public static partial void ConfigurationFileRecovered(ILogger logger, string path);

    [LoggerMessage(35, LogLevel.Error, "A configuration change was not applied because these configuration files don't load: {Paths}. The configuration from before stays in force.")]
    public static partial void ConfigurationHeldBack(ILogger logger, string paths);

    [LoggerMessage(36, LogLevel.Warning, "The secrets file {Name} in {Directory} was not read: {Reason}.")]
    public static partial void SecretFileRefused(ILogger logger, string name, string directory, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Refused a request to site {Site}: {Reason}")]
    public static partial void BadRequest(ILogger logger, string site, string reason);

    // The store-failure lines (4-6, 12, 50, 51) name the site, the request path (cleaned, no query) and the trace id,
    // so "which object failed and why" is answered from the logs; the path is the client's, never the store's key.
    [LoggerMessage(4, LogLevel.Warning, "The store {Store} failed with status {Status} for site {Site}, path {Path} (trace {TraceId}).")]
    public static partial void StorageFailed(ILogger logger, string store, int status, string site, string path, string traceId);

    [LoggerMessage(5, LogLevel.Warning, "The store {Store} answered with unexpected status {Status} for site {Site}, path {Path} (trace {TraceId}).")]
    public static partial void StorageUnexpected(ILogger logger, string store, int status, string site, string path, string traceId);

    [LoggerMessage(6, LogLevel.Warning, "Forwarding to store {Store} failed: {Error}, for site {Site}, path {Path} (trace {TraceId}).")]
    public static partial void ForwardingFailed(ILogger logger, string store, string error, string site, string path, string traceId);

    [LoggerMessage(7, LogLevel.Debug, "The client went away during a download from site {Site}.")]
    public static partial void ClientAborted(ILogger logger, string site);

    [LoggerMessage(8, LogLevel.Information, "Configuration reloaded: {SiteCount} sites.")]
    public static partial void ConfigurationReloaded(ILogger logger, int siteCount);

    [LoggerMessage(9, LogLevel.Error, "The changed configuration is invalid and was not applied; the previous one stays in force. Problems: {Problems}")]
    public static partial void ConfigurationRejected(ILogger logger, string problems);

    [LoggerMessage(10, LogLevel.Information, "No Redis configured (ConnectionStrings:Redis or Gateway:Cache:Redis): presigned URLs are cached in this process only.")]
    public static partial void InProcessCacheOnly(ILogger logger);

    [LoggerMessage(11, LogLevel.Information, "Presigned URLs are shared between replicas through Redis.")]
    public static partial void SharedCacheEnabled(ILogger logger);

    [LoggerMessage(12, LogLevel.Warning, "The store refused a cached URL for store {Store}; evicted it and signed again (site {Site}, path {Path}, trace {TraceId}).")]
    public static partial void CachedUrlRejected(ILogger logger, string store, string site, string path, string traceId);

    // Codes are our own labels for the store's error code (StorageErrors), never text from the store.
    [LoggerMessage(50, LogLevel.Warning, "The store {Store} refused the gateway's request with status {Status} (code {Code}); answered 502 for site {Site}, path {Path} (trace {TraceId}).")]
    public static partial void StorageRefusedGateway(ILogger logger, string store, int status, string code, string site, string path, string traceId);

    [LoggerMessage(51, LogLevel.Debug, "The store refused a request to site {Site} with status {Status} (code {Code}); answered {ClientStatus} for path {Path} (trace {TraceId}).")]
    public static partial void StorageRefusedClient(ILogger logger, string site, int status, string code, int clientStatus, string path, string traceId);

    // 60-69: the shared (Redis) tier's values.
    [LoggerMessage(60, LogLevel.Warning, "Ignored a presigned URL read from the shared cache for store {Store} (failed check: {Reason}); signed a fresh one and replaced the entry. Something other than a gateway of this store writes to Redis, or with another key.")]
    public static partial void SharedValueRejected(ILogger logger, string store, string reason);

    // 80-89: what a reload changes beyond the site table.
    [LoggerMessage(80, LogLevel.Warning, "{Setting} changed from {From} to {To}: it applies at the next start.")]
    public static partial void SettingNeedsRestart(ILogger logger, string setting, string from, string to);

    // Settings outside the options records, such as a Redis connection string, can hold a password: only the name is logged.
    [LoggerMessage(81, LogLevel.Warning, "{Setting} changed: it applies at the next start.")]
    public static partial void SecretSettingNeedsRestart(ILogger logger, string setting);

    [LoggerMessage(82, LogLevel.Information, "{Setting} changed from {From} to {To}: applied.")]
    public static partial void SettingApplied(ILogger logger, string setting, string from, string to);

    // 90-99: the shared tier (Redis) going down and coming back; one line each way and a count a minute between.
    [LoggerMessage(90, LogLevel.Warning, "Redis unreachable (a {Operation} failed: {Failure}); downloads go on, signing locally. A count of failed operations follows every minute until it is back.")]
    public static partial void RedisDown(ILogger logger, string operation, string failure);

    [LoggerMessage(91, LogLevel.Warning, "Redis unreachable: {Count} operations failed in the last minute; downloads go on, signing locally.")]
    public static partial void RedisStillDown(ILogger logger, long count);

    [LoggerMessage(92, LogLevel.Information, "Redis is reachable again after {Seconds} s; {Count} operations failed while it was down.")]
    public static partial void RedisBack(ILogger logger, long seconds, long count);

    // 100-109: the access log (category PresignGateway.Access) and custom error documents. Event 100, the access line
    // itself, is Forwarding/AccessLogEntry: written once per request, it skips the generated message's boxing.

    // The document key is the operator's setting, named by path; the store's answer is our own summary of it.
    [LoggerMessage(101, LogLevel.Warning, "The error document for status {Status} of site {Site} (Gateway:Sites:{Site}:ErrorDocuments:{Status}) was not served, the built-in page was: {Reason}. Logged at most once a minute per site and status; retried every 30 s.")]
    public static partial void ErrorDocumentUnavailable(ILogger logger, int status, string site, string reason);

    // 110-129: credential sources that refresh (instance metadata, STS). Store, source and the endpoint's host only.
    [LoggerMessage(110, LogLevel.Warning, "Credentials for store {Store} from {Source} ({Endpoint}) could not be fetched: {Reason}; {State}. Retrying with backoff; a count follows every minute while it keeps failing.")]
    public static partial void CredentialsFailed(ILogger logger, string store, string source, string endpoint, string reason, string state);

    [LoggerMessage(111, LogLevel.Warning, "Credentials for store {Store} from {Source} ({Endpoint}) still can't be fetched after {Attempts} attempts: {Reason}.")]
    public static partial void CredentialsStillFailing(ILogger logger, string store, string source, string endpoint, int attempts, string reason);

    [LoggerMessage(112, LogLevel.Information, "Credentials for store {Store} fetched from {Source} ({Endpoint}); they expire at {Expiration:O} (after {FailedAttempts} failed attempts).")]
    public static partial void CredentialsFetched(ILogger logger, string store, string source, string endpoint, DateTimeOffset expiration, int failedAttempts);

    [LoggerMessage(113, LogLevel.Debug, "Credentials for store {Store} refreshed from {Source}; they expire at {Expiration:O}, the next refresh is in {Wait}.")]
    public static partial void CredentialsRefreshed(ILogger logger, string store, string source, DateTimeOffset expiration, TimeSpan wait);

    [LoggerMessage(114, LogLevel.Debug, "A download for store {Store} got 503: its credentials from {Source} are {State}.")]
    public static partial void CredentialsUnavailable(ILogger logger, string store, string source, string state);

    // 130-139: directory listings (Listing/). Labels and names only: never a URL, a prefix or a key.
    [LoggerMessage(130, LogLevel.Warning, "The store {Store} refused a listing request with status {Status} (code {Code}); answered 502.")]
    public static partial void ListingRefused(ILogger logger, string store, int status, string code);

    [LoggerMessage(131, LogLevel.Warning, "Listing from store {Store} failed: {Reason}.")]
    public static partial void ListingFailed(ILogger logger, string store, string reason);

    [LoggerMessage(132, LogLevel.Debug, "The store {Store} refused a page cursor's continuation token; answered 400.")]
    public static partial void ListingCursorRefused(ILogger logger, string store);

    [LoggerMessage(133, LogLevel.Debug, "Refused a directory request to site {Site}: {Reason}")]
    public static partial void ListingBadRequest(ILogger logger, string site, string reason);
}
