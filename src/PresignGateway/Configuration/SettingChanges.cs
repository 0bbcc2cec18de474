using System.Globalization;

namespace PresignGateway.Configuration;

/// <summary>
/// What a reload changes among the settings that objects built at start-up read (the site table reports itself).
/// Applied at once: Cache:RefreshBefore, MaxEntries, MaxBytes; Upstream:ResponseHeadersTimeout, BodyBufferSize;
/// ClientRateLimit; AccessLog:Enabled. Only at the next start, because the connection pool and the Redis connection are made once and
/// replacing them would drop every warm connection: Upstream:ConnectTimeout, MaxConnectionsPerServer; the Redis
/// connection string and Cache:RedisTimeout. Also read once, by the host: Gateway:ForwardedHeaders,
/// Gateway:Telemetry and Kestrel's limits.
/// </summary>
internal static class SettingChanges
{
    public const string RedisTimeoutSetting = "Gateway:Cache:RedisTimeout";
    public static readonly TimeSpan DefaultRedisTimeout = TimeSpan.FromMilliseconds(200);
    private static readonly string[] RedisConnectionSettings = ["ConnectionStrings:Redis", "Gateway:Cache:Redis"];

    // Sections the host reads once at start-up; compared value by value and named without values.
    private static readonly string[] StartUpSections = ["Gateway:ForwardedHeaders", "Gateway:Telemetry", "Kestrel:Limits", "Kestrel:AddServerHeader"];

    /// <summary>
    /// The changes from <paramref name="inForce"/> to <paramref name="next"/>. Restart-only settings are compared
    /// with the values read at start-up (<paramref name="startUp"/>, <paramref name="startUpConfiguration"/>): those
    /// stay in force until the next start, whatever reloads came between.
    /// </summary>
    public static List<SettingChange> Between(
        GatewayOptions startUp, IReadOnlyDictionary<string, string?> startUpConfiguration, GatewayOptions inForce, GatewayOptions next, IReadOnlyDictionary<string, string?> nextConfiguration)
    {
        var changes = new List<SettingChange>();
        Compare(changes, "Gateway:Cache:RefreshBefore", inForce.Cache.RefreshBefore, next.Cache.RefreshBefore, restart: false);
        Compare(changes, "Gateway:Cache:MaxEntries", inForce.Cache.MaxEntries, next.Cache.MaxEntries, restart: false);
        Compare(changes, "Gateway:Cache:MaxBytes", inForce.Cache.MaxBytes, next.Cache.MaxBytes, restart: false);
        // The listing cache's budget (Gateway:Cache:ListingMaxBytes) applies at once too.
        Compare(changes, "Gateway:Cache:ListingMaxBytes", inForce.Cache.ListingMaxBytes, next.Cache.ListingMaxBytes, restart: false);
        Compare(changes, "Gateway:Upstream:ResponseHeadersTimeout", inForce.Upstream.ResponseHeadersTimeout, next.Upstream.ResponseHeadersTimeout, restart: false);
        Compare(changes, "Gateway:Upstream:BodyBufferSize", inForce.Upstream.BodyBufferSize, next.Upstream.BodyBufferSize, restart: false);
        Compare(changes, "Gateway:AccessLog:Enabled", inForce.AccessLog.Enabled, next.AccessLog.Enabled, restart: false);
        ClientRateLimitOptions? before = ActiveClientLimit(inForce);
        ClientRateLimitOptions? after = ActiveClientLimit(next);
        if (before is null || after is null)
        {
            Compare(changes, "Gateway:ClientRateLimit", Rate(before), Rate(after), restart: false);
        }
        else
        {
            Compare(changes, "Gateway:ClientRateLimit:PermitsPerSecond", before.PermitsPerSecond, after.PermitsPerSecond, restart: false);
            Compare(changes, "Gateway:ClientRateLimit:Burst", before.Burst, after.Burst, restart: false);
            Compare(changes, "Gateway:ClientRateLimit:IPv6PrefixLength", before.IPv6PrefixLength, after.IPv6PrefixLength, restart: false);
        }

        Compare(changes, "Gateway:Upstream:ConnectTimeout", startUp.Upstream.ConnectTimeout, next.Upstream.ConnectTimeout, restart: true);
        Compare(changes, "Gateway:Upstream:MaxConnectionsPerServer", startUp.Upstream.MaxConnectionsPerServer, next.Upstream.MaxConnectionsPerServer, restart: true);
        Compare(changes, RedisTimeoutSetting, startUpConfiguration[RedisTimeoutSetting], nextConfiguration[RedisTimeoutSetting], restart: true);
        foreach ((string setting, string? value) in nextConfiguration)
        {
            if (setting != RedisTimeoutSetting && (!startUpConfiguration.TryGetValue(setting, out string? atStart) || !string.Equals(atStart, value, StringComparison.Ordinal)))
            {
                changes.Add(new SettingChange(setting, null, null, NeedsRestart: true));
            }
        }

        foreach (string setting in startUpConfiguration.Keys)
        {
            if (!nextConfiguration.ContainsKey(setting))
            {
                changes.Add(new SettingChange(setting, null, null, NeedsRestart: true));
            }
        }

        return changes;
    }

    /// <summary>
    /// The restart-only settings that live outside <see cref="GatewayOptions"/> (the Redis connection, the host's
    /// sections), by path; a RedisTimeout that isn't a time span is a problem, so the reload is refused.
    /// </summary>
    public static Dictionary<string, string?> ReadStartUpSettings(IConfiguration configuration, ICollection<string> problems)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string setting in RedisConnectionSettings)
        {
            settings[setting] = string.IsNullOrWhiteSpace(configuration[setting]) ? null : configuration[setting];
        }

        foreach (string section in StartUpSections)
        {
            foreach ((string setting, string? value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null)
                {
                    settings[setting] = value;
                }
            }
        }

        // While CacheOptions declares RedisTimeout, BindGateway reports an unreadable one already: only once.
        var unreadable = new List<string>();
        TimeSpan timeout = SettingReader.Get(configuration, RedisTimeoutSetting, DefaultRedisTimeout, unreadable);
        foreach (string problem in unreadable)
        {
            if (!problems.Contains(problem))
            {
                problems.Add(problem);
            }
        }

        settings[RedisTimeoutSetting] = Format(timeout);
        return settings;
    }

    /// <summary>A client limit of 0 permits per second is treated as none, as DownloadRateLimiter does.</summary>
    internal static ClientRateLimitOptions? ActiveClientLimit(GatewayOptions options)
        => options.ClientRateLimit is { PermitsPerSecond: > 0 } limit ? limit : null;

    private static string Rate(ClientRateLimitOptions? limit)
        => limit is null ? "(off)" : string.Create(CultureInfo.InvariantCulture, $"{limit.PermitsPerSecond} per second");

    private static void Compare<T>(List<SettingChange> changes, string setting, T from, T to, bool restart)
    {
        if (!EqualityComparer<T>.Default.Equals(from, to))
        {
            changes.Add(new SettingChange(setting, Format(from), Format(to), restart));
        }
    }

    private static string Format<T>(T value) => value switch
    {
        null => "(not set)",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
