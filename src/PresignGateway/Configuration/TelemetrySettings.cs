namespace PresignGateway.Configuration;

/// <summary>The <c>Gateway:Telemetry</c> settings.</summary>
internal sealed record TelemetrySettings(bool PrometheusEndpoint, bool Tracing, string MetricsUrl)
{
    /// <summary>Where <c>/metrics</c> listens unless <c>Gateway:Telemetry:MetricsUrl</c> says otherwise.</summary>
    public const string DefaultMetricsUrl = "http://+:9464";

    /// <summary>The telemetry settings, checked; each problem names its setting.</summary>
    public static TelemetrySettings Read(IConfiguration configuration, ICollection<string> problems)
    {
        bool prometheus = SettingReader.Get(configuration, "Gateway:Telemetry:PrometheusEndpoint", false, problems);
        bool tracing = SettingReader.Get(configuration, "Gateway:Telemetry:Tracing", false, problems);
        string url = configuration["Gateway:Telemetry:MetricsUrl"] is { Length: > 0 } configured ? configured : DefaultMetricsUrl;
        if (prometheus && !IsPlainHttpAddress(url))
        {
            problems.Add($"Gateway:Telemetry:MetricsUrl is '{url}': use http://HOST:PORT without a path, such as {DefaultMetricsUrl} (all interfaces) or http://127.0.0.1:9464.");
        }

        return new TelemetrySettings(prometheus, tracing, url);
    }

    private static bool IsPlainHttpAddress(string url)
    {
        try
        {
            BindingAddress address = BindingAddress.Parse(url);
            return address.Scheme == "http" && !address.IsNamedPipe && !address.IsUnixPipe && address.PathBase.Length == 0 && address.Port is >= 0 and <= 65535;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
