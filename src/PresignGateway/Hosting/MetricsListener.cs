using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Metrics;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;

namespace PresignGateway.Hosting;

/// <summary>
/// <c>/metrics</c> for Prometheus on its own listener (<c>Gateway:Telemetry:MetricsUrl</c>), a second, tiny Kestrel
/// server in the process that reads the gateway's <see cref="MeterProvider"/>.
/// </summary>
/// <remarks>
/// A separate server rather than an extra endpoint of the download server: adding a Kestrel endpoint in code makes
/// Kestrel drop <c>--urls</c>/<c>ASPNETCORE_URLS</c>, and telling the two apart per request would need a local-port
/// check on the hot path (the Host header can't be used: the client chooses it). This way the download listeners
/// don't know <c>/metrics</c> at all (it is an ordinary download path there) and this listener serves nothing else.
/// </remarks>
internal sealed class MetricsListener(MeterProvider meterProvider, string url, ILogger<MetricsListener> logger) : IHostedService, IAsyncDisposable
{
    public const string Path = "/metrics";

    private WebApplication? _server;

    /// <summary>Where it listens once started (the bound port when the configured port is 0).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The empty builder brings no configuration, no logging providers and no default middleware: nothing but Kestrel.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.AddServerHeader = false).UseUrls(url);
        WebApplication server = builder.Build();
        server.Use(static (context, next) =>
        {
            // Never cached by anything in between, and the scrapes don't count as the gateway's HTTP traffic.
            context.Response.Headers.CacheControl = "no-store";
            context.Features.Get<IHttpMetricsTagsFeature>()?.MetricsDisabled = true;
            return next(context);
        });
        server.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: Path, configureBranchedPipeline: null, optionsName: null);
        server.Run(static context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        try
        {
            await server.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await server.DisposeAsync();
            throw new StartupException([$"Gateway:Telemetry:MetricsUrl is '{url}': {e.Message}"]);
        }

        _server = server;
        string address = server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Address = new Uri(address);
        Log.MetricsListening(logger, address + Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }
}
