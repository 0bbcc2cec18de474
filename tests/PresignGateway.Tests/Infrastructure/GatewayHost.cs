using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using PresignGateway.Hosting;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (the same composition as Program) on Kestrel, 127.0.0.1, a free port, with test settings laid
/// over appsettings.json, every log line captured at Trace, and an HTTP client that follows no redirects and
/// decompresses nothing.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri baseAddress, CapturedLogs logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Client = CreateClient(baseAddress);
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The Prometheus listener's address (<c>http://127.0.0.1:PORT</c>), or null when it is off.</summary>
    public Uri? MetricsAddress => _app.Services.GetService<MetricsListener>()?.Address;

    /// <param name="listenOnFreePort">False when the settings bring their own Kestrel endpoints (an HTTPS test).</param>
    /// <param name="configureFiles">Adds further configuration sources after the settings (a watched JSON file).</param>
    public static async Task<GatewayHost> StartAsync(
        IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null, bool listenOnFreePort = true, Action<IConfigurationBuilder>? configureFiles = null)
    {
        WebApplicationBuilder builder = GatewayApplication.CreateBuilder([], configuration =>
        {
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Everything at Trace, even YARP's forwarder: the leak tests must hold for the chattiest configuration.
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Yarp"] = "Trace",
                ["Logging:LogLevel:Yarp.ReverseProxy.Forwarder"] = "Trace",
                // The metrics listener, when a test turns it on: loopback, a free port (MetricsAddress tells which).
                ["Gateway:Telemetry:MetricsUrl"] = "http://127.0.0.1:0",
                // Never the cloud's instance metadata from a test: Auto on a store left without keys would ask
                // 100.100.100.200 or 169.254.169.254; disabled, start-up says the keys are missing instead.
                ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true",
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            });
            configuration.AddInMemoryCollection(settings);
            configureFiles?.Invoke(configuration);
        });
        if (listenOnFreePort)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        services?.Invoke(builder.Services);

        WebApplication app = GatewayApplication.Build(builder);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new GatewayHost(app, new Uri(address), logs);
    }

    public static HttpClient CreateClient(Uri? baseAddress = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        UseProxy = false,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
