using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;

namespace PresignGateway.Sites;

/// <summary>
/// Holds the routing table in force. A configuration change (appsettings.json, a mounted file, a rotated key) builds
/// a complete new table and swaps it in one reference write, so a request sees the old table or the new one, never
/// half of each; a change that doesn't validate is logged and the old table stays.
/// </summary>
internal sealed class SiteTableProvider : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<SiteTableProvider> _logger;
    private readonly IDisposable _subscription;
    private volatile SiteTable _current;

    public SiteTableProvider(IConfiguration configuration, IOptions<GatewayOptions> options, ILogger<SiteTableProvider> logger)
    {
        _configuration = configuration;
        _logger = logger;
        // The options were validated at start-up, so this build succeeds.
        _current = SiteTableBuilder.TryBuild(options.Value, configuration, out IReadOnlyList<string> errors)
            ?? throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), errors);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public SiteTable Current => _current;

    public void Dispose() => _subscription.Dispose();

    internal void Reload()
    {
        GatewayOptions options;
        try
        {
            options = new GatewayOptions();
            _configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            Log.ConfigurationRejected(_logger, e.Message);
            return;
        }

        SiteTable? table = SiteTableBuilder.TryBuild(options, _configuration, out IReadOnlyList<string> errors);
        if (table is null)
        {
            Log.ConfigurationRejected(_logger, string.Join(" | ", errors));
            return;
        }

        _current = table;
        Log.ConfigurationReloaded(_logger, table.Sites.Count);
    }
}
