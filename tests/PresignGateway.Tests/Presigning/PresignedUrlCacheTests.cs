using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Signing;
using PresignGateway.Sites;
using PresignGateway.Stores;
using PresignGateway.Tests.Configuration;

namespace PresignGateway.Tests.Presigning;

/// <summary>The cache on its own, on a fake clock: lifetimes and margins, stampedes (bounded memory: MemoryTierHeapTests).</summary>
public sealed class PresignedUrlCacheTests
{
    [Fact]
    public async Task Entry_is_reused_until_the_margin_and_never_served_past_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var services = CacheServices(time, urlLifetime: "00:00:10");
        PresignedUrlCache cache = services.Cache;
        PresignTarget target = services.Target("a.txt");

        CachedPresignedUrl first = (await cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken)).Url;
        Assert.Equal(time.GetUtcNow().AddSeconds(10), first.ExpiresAt);
        Assert.Equal(TimeSpan.FromSeconds(1), cache.RefreshMargin(TimeSpan.FromSeconds(10)));

        time.Advance(TimeSpan.FromSeconds(8.9));
        Assert.Same(first, (await cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken)).Url);

        // At expiry - margin (9 s in) the entry is refreshed, never served.
        time.Advance(TimeSpan.FromSeconds(0.1));
        CachedPresignedUrl second = (await cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken)).Url;
        Assert.NotEqual(first.Url, second.Url);
        Assert.Equal(time.GetUtcNow().AddSeconds(10), second.ExpiresAt);
        Assert.True(second.ExpiresAt - cache.RefreshMargin(TimeSpan.FromSeconds(10)) > time.GetUtcNow());
    }

    [Fact]
    public async Task Urls_signed_with_temporary_keys_expire_with_them_and_their_entries_go_before()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var services = CacheServices(time, urlLifetime: "01:00:00");
        DateTimeOffset keysExpire = time.GetUtcNow().AddMinutes(10);
        var keys = new StoreCredentials(new Credentials("fake-sts-key-0001", "fake-secret/1", "fake+token/1="), keysExpire);
        PresignTarget target = services.Target("a.txt") with { Credentials = keys };

        // Ten minutes left of the keys: the URL lives ten minutes, not the hour, and its entry a tenth of that less.
        CachedPresignedUrl first = (await services.Cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken)).Url;
        Assert.Equal(keysExpire, first.ExpiresAt);
        Assert.Contains("x-oss-expires=600&", first.Url, StringComparison.Ordinal);
        Assert.Contains("fake-sts-key-0001", first.Url, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(539));
        Assert.Same(first, (await services.Cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken)).Url);

        // At expiry - margin it is signed again, for what the keys have left.
        time.Advance(TimeSpan.FromSeconds(1));
        CacheLookup second = await services.Cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken);
        Assert.Equal(CacheTier.Signed, second.Tier);
        Assert.Equal(keysExpire, second.Url.ExpiresAt);

        // Once they have expired nothing is signed with them (the request path answers 503 before this).
        time.Advance(TimeSpan.FromSeconds(60));
        await Assert.ThrowsAsync<CredentialsUnavailableException>(async () => await services.Cache.GetAsync(target, time.GetUtcNow(), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("01:00:00", 300)]
    [InlineData("00:10:00", 60)]
    [InlineData("7.00:00:00", 300)]
    public void Margin_is_the_smaller_of_refresh_before_and_a_tenth_of_the_lifetime(string lifetime, int expectedSeconds)
    {
        using var services = CacheServices(new FakeTimeProvider(), urlLifetime: lifetime);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), services.Cache.RefreshMargin(TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Two_hundred_concurrent_misses_sign_once()
    {
        using var services = CacheServices(TimeProvider.System);
        using var signings = new MetricCollector<long>(services.MeterFactory, GatewayMetrics.MeterName, "presign_gateway.signings");
        PresignTarget target = services.Target("cold.bin");
        using var start = new ManualResetEventSlim();

        Task<CachedPresignedUrl>[] lookups = Enumerable.Range(0, 200)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait(TestContext.Current.CancellationToken);
                return (await services.Cache.GetAsync(target, TimeProvider.System.GetUtcNow(), TestContext.Current.CancellationToken)).Url;
            }))
            .ToArray();
        start.Set();
        CachedPresignedUrl[] urls = await Task.WhenAll(lookups);

        Assert.Equal(1, signings.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Single(urls.Select(u => u.Url).Distinct());
    }

    internal static CacheTestServices CacheServices(TimeProvider time, string urlLifetime = "01:00:00", int maxEntries = 100_000, long maxBytes = 64L * 1024 * 1024)
    {
        Dictionary<string, string?> settings = GatewaySettings.WithStore();
        settings["Gateway:Stores:main:UrlLifetime"] = urlLifetime;
        settings["Gateway:Cache:MaxEntries"] = maxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Cache:MaxBytes"] = maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        GatewaySettings.AddSite(settings, "s", "/", "main", "downloads.example.com");
        IConfiguration configuration = GatewaySettings.Configuration(settings);
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddMetrics();
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName));
        services.AddSingleton<OptionsInForce>();
        services.AddSingleton<SiteTableProvider>();
        services.AddSingleton<GatewayMetrics>();
        services.AddHybridCache();
        services.AddSingleton<PresignedUrlCache>();
        return new CacheTestServices(services.BuildServiceProvider());
    }

    internal sealed class CacheTestServices(ServiceProvider provider) : IDisposable
    {
        public PresignedUrlCache Cache { get; } = provider.GetRequiredService<PresignedUrlCache>();

        public System.Diagnostics.Metrics.IMeterFactory MeterFactory => provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

        public Store Store { get; } = provider.GetRequiredService<SiteTableProvider>().Current.Sites[0].Store;

        public PresignTarget Target(string key) => new(Store, Store.CredentialSource.Current, PresignMethod.Get, key, null, null, null);

        public void Dispose() => provider.Dispose();
    }
}
