using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Signing;
using PresignGateway.Sites;

namespace PresignGateway.Benchmarks;

/// <summary>A cache hit on the in-process tier: the common case of every download after the first.</summary>
[MemoryDiagnoser]
public class CacheBenchmarks : IDisposable
{
    private ServiceProvider _services = null!;
    private PresignedUrlCache _cache = null!;
    private PresignTarget _target;

    [GlobalSetup]
    public void Setup()
    {
        IConfiguration configuration = BenchmarkSettings.WithOssStore(new Dictionary<string, string?>
        {
            ["Gateway:Sites:downloads:Hosts:0"] = "downloads.example.com",
            ["Gateway:Sites:downloads:Store"] = BenchmarkSettings.StoreName,
        });
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddMetrics();
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName));
        services.AddSingleton<SiteTableProvider>();
        services.AddSingleton<GatewayMetrics>();
        services.AddHybridCache();
        services.AddSingleton<PresignedUrlCache>();
        _services = services.BuildServiceProvider();
        _cache = _services.GetRequiredService<PresignedUrlCache>();
        StoreTarget store = _services.GetRequiredService<SiteTableProvider>().Current.Sites[0].Store;
        _target = new PresignTarget(store, PresignMethod.Get, "releases/1.4.2/app-1.4.2.zip", null, null, null);
        _cache.GetAsync(_target, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public string InProcessHit()
    {
        ValueTask<CacheLookup> lookup = _cache.GetAsync(_target, CancellationToken.None);
        return lookup.IsCompletedSuccessfully ? lookup.Result.Url.Url : throw new InvalidOperationException("Expected a synchronous hit.");
    }

    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }
}
