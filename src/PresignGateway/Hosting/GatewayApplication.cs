using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Forwarding;
using PresignGateway.Health;
using PresignGateway.Presigning;
using PresignGateway.Responses;
using PresignGateway.Sites;
using PresignGateway.Stores;

namespace PresignGateway.Hosting;

/// <summary>The composition root, shared by Program and the end-to-end tests so both run the same application.</summary>
internal static class GatewayApplication
{
    /// <param name="args">Command-line arguments, as configuration (<c>--urls</c>, <c>--Gateway:...</c>).</param>
    /// <param name="configure">Adds configuration sources before anything reads the configuration (the tests' settings).</param>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<ConfigurationManager>? configure = null)
    {
        WebApplicationBuilder builder;
        ConfigurationFiles files;
        try
        {
            builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = args,
                // appsettings.json travels with the build output; reading it from there lets the app start from any directory.
                ContentRootPath = AppContext.BaseDirectory,
            });
            configure?.Invoke(builder.Configuration);
            files = ConfigurationFiles.Track(builder.Configuration);
        }
        catch (InvalidDataException broken)
        {
            throw new StartupException([ConfigurationFiles.Describe(broken)]);
        }

        // Every problem of the configuration at once, binder errors included, before anything else reads it.
        var problems = new List<string>();
        TelemetrySettings telemetry = TelemetrySettings.Read(builder.Configuration, problems);
        TrustedProxies proxies = TrustedProxies.Read(builder.Configuration.GetSection("Gateway:ForwardedHeaders"), problems);
        CheckKestrelLimits(builder.Configuration.GetSection("Kestrel"), problems);
        GatewayOptions options = SettingReader.BindGateway(builder.Configuration, problems);
        SiteTableBuilder.TryBuild(options, builder.Configuration, out IReadOnlyList<string> errors);
        problems.AddRange(errors);
        if (problems.Count > 0)
        {
            files.Dispose();
            throw new StartupException(problems);
        }

        // A factory, so the container disposes it (and the secrets directory's poller) with the application.
        builder.Services.AddSingleton(_ => files);
        builder.WebHost.ConfigureKestrel((context, kestrel) => ApplyKestrelLimits(context.Configuration.GetSection("Kestrel"), kestrel));
        builder.Logging.AddGatewayLogging();
        builder.AddGatewayTelemetry(telemetry);
        builder.Services
            .AddTrustedProxies(proxies)
            .AddGatewayHealth()
            .AddGatewayConfiguration()
            .AddPresigning(RedisConfiguration(builder.Configuration, options.Cache), options.Cache.RedisTimeout)
            .AddForwarding()
            .AddGatewayProblems();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        WebApplication app = builder.Build();
        app.Services.GetRequiredService<ConfigurationFiles>().Started(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PresignGateway.Configuration"));
        app.Lifetime.ApplicationStarted.Register(() => ReportCacheMode(app.Services));
        ForwardedHeadersOptions forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<CorsPreflight>();
        app.MapGatewayHealth();
        app.MapFallback("{**path}", app.Services.GetRequiredService<DownloadEndpoint>().HandleAsync);
        return app;
    }

    private static void CheckKestrelLimits(IConfigurationSection kestrelSection, List<string> problems)
    {
        SettingReader.Get(kestrelSection, "AddServerHeader", false, problems);
        IConfigurationSection limits = kestrelSection.GetSection("Limits");
        SettingReader.CheckValues(limits, typeof(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits), problems);
        foreach (string rate in new[] { "MinResponseDataRate", "MinRequestBodyDataRate" })
        {
            SettingReader.Get(limits, $"{rate}:BytesPerSecond", 0d, problems);
            SettingReader.Get(limits, $"{rate}:GracePeriod", TimeSpan.Zero, problems);
        }
    }

    /// <summary>
    /// Kestrel reads its endpoints from configuration but not its limits: bind <c>Kestrel:Limits</c> here, so header,
    /// request-line, keep-alive and data-rate limits are set deliberately in appsettings.json (and overridable).
    /// </summary>
    private static void ApplyKestrelLimits(IConfigurationSection kestrelSection, Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = kestrelSection.GetValue("AddServerHeader", false);
        IConfigurationSection limits = kestrelSection.GetSection("Limits");
        limits.Bind(kestrel.Limits);
        kestrel.Limits.MinResponseDataRate = DataRate(limits.GetSection("MinResponseDataRate"), kestrel.Limits.MinResponseDataRate);
        kestrel.Limits.MinRequestBodyDataRate = DataRate(limits.GetSection("MinRequestBodyDataRate"), kestrel.Limits.MinRequestBodyDataRate);

        static Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate? DataRate(IConfigurationSection section, Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate? current)
            => section.Exists()
                ? new(section.GetValue("BytesPerSecond", current?.BytesPerSecond ?? 240), section.GetValue("GracePeriod", current?.GracePeriod ?? TimeSpan.FromSeconds(5)))
                : current;
    }

    /// <summary>
    /// YARP, the hosting diagnostics and a few other framework categories log full URLs (a presigned URL, a signed
    /// link's sig): wrap the logger factory so that no logging configuration can open them (see PinnedLoggerFactory).
    /// </summary>
    private static ILoggingBuilder AddGatewayLogging(this ILoggingBuilder logging)
    {
        logging.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(services => new PinnedLoggerFactory(new LoggerFactory(
            services.GetServices<ILoggerProvider>(),
            services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            services.GetService<IOptions<LoggerFactoryOptions>>(),
            services.GetService<IExternalScopeProvider>()))));
        return logging;
    }

    private static IServiceCollection AddGatewayConfiguration(this IServiceCollection services)
    {
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<OptionsInForce>();
        services.AddSingleton<SiteTableProvider>();
        return services;
    }

    private static IServiceCollection AddPresigning(this IServiceCollection services, string? redis, TimeSpan redisTimeout)
    {
        services.AddSingleton(provider => new GatewayMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())
        {
            StoreClockOffsets = () => provider.GetRequiredService<SiteTableProvider>().Current.Stores.Select(store => (store.Name, store.Clock.Offset)),
            CredentialLifetimes = () => CredentialLifetimes(provider),
        });
        services.AddCredentialRefresh();
        services.AddHybridCache(options => options.MaximumKeyLength = 256).AddSerializer<CachedPresignedUrl, SharedValueSerializer>();
        services.AddSingleton<PresignedUrlCache>();
        if (redis is not null)
        {
            services.AddSingleton(_ => new RedisConnection(redis, redisTimeout));
            services.AddSingleton(provider =>
            {
                RedisConnection connection = provider.GetRequiredService<RedisConnection>();
                return new RedisOutageLog(provider.GetRequiredService<TimeProvider>(), () => connection.IsConnected, provider.GetRequiredService<ILogger<RedisOutageLog>>());
            });
            services.AddSingleton<IDistributedCache>(provider =>
            {
                RedisConnection connection = provider.GetRequiredService<RedisConnection>();
                GatewayMetrics metrics = provider.GetRequiredService<GatewayMetrics>();
                metrics.RedisConnected = () => connection.IsConnected;
                var redisCache = new RedisCache(Options.Create(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = connection.GetAsync,
                    InstanceName = "presign-gateway:",
                }));
                return new ObservedDistributedCache(redisCache, metrics, provider.GetRequiredService<RedisOutageLog>());
            });
        }

        return services;
    }

    /// <summary>Each store with temporary credentials and the time they have left, on the store's clock.</summary>
    private static IEnumerable<(string Store, TimeSpan ExpiresIn)> CredentialLifetimes(IServiceProvider provider)
    {
        DateTimeOffset now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (Stores.Store store in provider.GetRequiredService<SiteTableProvider>().Current.Stores)
        {
            if (store.CredentialSource.Latest?.Expiration is { } expiration)
            {
                yield return (store.Name, expiration - store.Now(now));
            }
        }
    }

    /// <summary>The shared tier's connection string: <c>ConnectionStrings:Redis</c>, else <c>Gateway:Cache:Redis</c>; null for in-process only.</summary>
    private static string? RedisConfiguration(ConfigurationManager configuration, CacheOptions cache)
    {
        string? redis = configuration.GetConnectionString("Redis");
        redis = string.IsNullOrWhiteSpace(redis) ? cache.Redis : redis;
        return string.IsNullOrWhiteSpace(redis) ? null : redis;
    }

    private static void ReportCacheMode(IServiceProvider services)
    {
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("PresignGateway.Presigning");
        if (services.GetService<RedisConnection>() is { } redis)
        {
            Log.SharedCacheEnabled(logger);
            // Connect now, in the background, so readiness and metrics tell the truth before the first miss;
            // then let the tracing see its commands.
            _ = redis.GetAsync().ContinueWith(
                connected => services.GetService<OpenTelemetry.Instrumentation.StackExchangeRedis.StackExchangeRedisInstrumentation>()?.AddConnection(connected.Result),
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
        else
        {
            Log.InProcessCacheOnly(logger);
        }
    }

    private static IServiceCollection AddTrustedProxies(this IServiceCollection services, TrustedProxies proxies)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = proxies.ForwardLimit;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (IPAddress proxy in proxies.Proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (System.Net.IPNetwork network in proxies.Networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    private static IServiceCollection AddForwarding(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<StorageInvoker>();
        services.AddSingleton<ResponseBodyCopier>();
        services.AddSingleton<DownloadTransformer>();
        services.AddSingleton<DownloadAdmission>();
        services.AddSingleton<StoreForwarding>();
        services.AddSingleton<DownloadOutcomes>();
        services.AddSingleton<AccessLog>();
        // Before AddGatewayProblems' writers: the first writer that can write an error is the one asked.
        services.AddSingleton<IProblemDetailsWriter, ErrorDocumentWriter>();
        services.AddSingleton<DownloadEndpoint>();
        services.AddSingleton<Listing.ListingCache>();
        services.AddSingleton(provider => new Listing.StoreLister(
            provider.GetRequiredService<StorageInvoker>().Invoker, provider.GetRequiredService<OptionsInForce>(), provider.GetRequiredService<ILogger<Listing.StoreLister>>()));
        services.AddSingleton<Listing.DirectoryListing>();
        services.AddSingleton<Protection.DownloadRateLimiter>();
        return services;
    }
}
