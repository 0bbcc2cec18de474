using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Stores;

namespace PresignGateway.Sites;

/// <summary>
/// Holds the routing table in force. A configuration change (appsettings.json, a mounted file, a rotated key) builds
/// a complete new table and swaps it in one reference write, so a request sees the old table or the new one, never
/// half of each; a change that doesn't validate is logged and the old table stays, and so it does while a
/// configuration file fails to load (its settings would be missing from the new table). The options of the same
/// reload go in force with the table (<see cref="OptionsInForce"/>), and each setting that only applies at the next
/// start is named in a Warning (<see cref="SettingChanges"/>): a reload never ignores a change silently.
/// </summary>
internal sealed class SiteTableProvider : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ConfigurationFiles? _files;
    private readonly ILogger<SiteTableProvider> _logger;
    private readonly IDisposable _subscription;
    private readonly OptionsInForce _options;
    private readonly GatewayOptions _startUpOptions;
    private readonly IReadOnlyDictionary<string, string?> _startUpConnections;
    private readonly Lock _reloading = new();
    private volatile SiteTable _current;
    private volatile string? _problem;
    private readonly CredentialRefresher? _credentials;

    /// <param name="credentials">Runs the refreshing credential sources of the table in force; null in tests that build tables only.</param>
    public SiteTableProvider(
        IConfiguration configuration, OptionsInForce options, ILogger<SiteTableProvider> logger, ConfigurationFiles? files = null, CredentialRefresher? credentials = null)
    {
        _configuration = configuration;
        _files = files;
        _logger = logger;
        _options = options;
        _credentials = credentials;
        _startUpOptions = options.Current;
        // The options were validated at start-up, so this build succeeds.
        _current = Build(_startUpOptions, out IReadOnlyList<string> errors)
            ?? throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), errors);
        CommitCredentials(_current);
        _startUpConnections = SettingChanges.ReadStartUpSettings(configuration, new List<string>());
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public SiteTable Current => _current;

    /// <summary>Why the configuration in force is not the configuration on disk, for readiness; null when it is.</summary>
    public string? Problem => _files?.Broken() is { Count: > 0 } broken ? BrokenFiles(broken) : _problem;

    public void Dispose() => _subscription.Dispose();

    /// <summary>The site table for <paramref name="options"/>; a store whose credential source is unchanged keeps the running one (its refresh loop and keys).</summary>
    private SiteTable? Build(GatewayOptions options, out IReadOnlyList<string> errors)
        => SiteTableBuilder.TryBuild(options, _configuration, out errors, _credentials is null ? null : _credentials.Reuse);

    /// <summary>Hands the table's credential sources to the refresher: it starts those not yet running and stops the others.</summary>
    private void CommitCredentials(SiteTable table) => _credentials?.Commit(table.Stores.Select(store => store.CredentialSource));

    private static string BrokenFiles(IReadOnlyList<string> broken)
        => $"The configuration file {string.Join(", ", broken.Select(Path.GetFileName))} doesn't load (see the log); the configuration from before stays in force.";

    internal void Reload()
    {
        // Two files changing at once fire two reloads: one at a time, so the last one read is the one in force.
        lock (_reloading)
        {
            ReloadOnce();
        }
    }

    private void ReloadOnce()
    {
        if (_files?.Broken() is { Count: > 0 } broken)
        {
            Log.ConfigurationHeldBack(_logger, string.Join(", ", broken));
            return;
        }

        var problems = new List<string>();
        GatewayOptions options = SettingReader.BindGateway(_configuration, problems);
        Dictionary<string, string?> connections = SettingChanges.ReadStartUpSettings(_configuration, problems);
        IReadOnlyList<string> errors = problems;
        SiteTable? table = problems.Count == 0 ? Build(options, out errors) : null;
        if (table is null)
        {
            Log.ConfigurationRejected(_logger, string.Join(" | ", errors));
            _problem = "The changed configuration is invalid and was not applied (see the log); the configuration from before stays in force.";
            return;
        }

        List<SettingChange> changes = SettingChanges.Between(_startUpOptions, _startUpConnections, _options.Current, options, connections);
        _current = table;
        CommitCredentials(table);
        _options.Publish(options);
        _problem = null;
        // The summary comes last: a reader of the log knows the reload's lines are all there once it is.
        foreach (SettingChange change in changes)
        {
            if (!change.NeedsRestart)
            {
                Log.SettingApplied(_logger, change.Setting, change.From!, change.To!);
            }
            else if (change.From is null)
            {
                Log.SecretSettingNeedsRestart(_logger, change.Setting);
            }
            else
            {
                Log.SettingNeedsRestart(_logger, change.Setting, change.From, change.To!);
            }
        }

        Log.ConfigurationReloaded(_logger, table.Sites.Count);
    }
}
