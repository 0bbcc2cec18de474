using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Forwarding;
using PresignGateway.Presigning;
using PresignGateway.Sites;

namespace PresignGateway.Hosting;

/// <summary>The composition root, shared by Program and the end-to-end tests so both run the same application.</summary>
internal static class GatewayApplication
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json travels with the build output; reading it from there lets the app start from any directory.
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.AddGatewayLogging();
        builder.Services
            .AddGatewayConfiguration()
            .AddPresigning()
            .AddForwarding();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        WebApplication app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapFallback("{**path}", app.Services.GetRequiredService<DownloadEndpoint>().HandleAsync);
        return app;
    }

    private static ILoggingBuilder AddGatewayLogging(this ILoggingBuilder logging)
        // YARP logs the full target URL ("Proxying to ...") at Information, signature included: never let it through,
        // whatever the configuration says (a filter added in code after the configuration's wins for this category).
        => logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Warning);

    private static IServiceCollection AddGatewayConfiguration(this IServiceCollection services)
    {
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SiteTableProvider>();
        return services;
    }

    private static IServiceCollection AddPresigning(this IServiceCollection services)
    {
        services.AddHybridCache();
        services.AddSingleton<UrlSigner>();
        services.AddSingleton<PresignedUrlCache>();
        return services;
    }

    private static IServiceCollection AddForwarding(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<StorageInvoker>();
        services.AddSingleton<DownloadTransformer>();
        services.AddSingleton<DownloadEndpoint>();
        return services;
    }
}
