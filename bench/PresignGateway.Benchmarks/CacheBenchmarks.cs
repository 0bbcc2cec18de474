using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Presigning;
using PresignGateway.Signing;
using PresignGateway.Sites;
using PresignGateway.Stores;

namespace PresignGateway.Benchmarks;

/// <summary>
/// A cache hit on the in-process tier (the common case of every download after the first), and an insert into a full
/// tier: the miss path's share of the tier, eviction included (amortised: one insert in about a tenth of the tier's
/// capacity runs it).
/// </summary>
[MemoryDiagnoser]
public class CacheBenchmarks : IDisposable
{
    // About 850 proxy-mode entries of ~20 KB fit in 16 MiB; 64,000 distinct keys keep every insert a new one.
    private const int InsertKeys = 64_000;

    private ServiceProvider _services = null!;
    private PresignedUrlCache _cache = null!;
    private PresignTarget _target;
    private MemoryTier _fullTier = null!;
    private PresignTarget[] _insertTargets = null!;
    private CachedPresignedUrl _insertValue = null!;
    private int _nextInsert;

    [GlobalSetup]
    public void Setup()
    {
        _services = BenchmarkSettings.CacheServices();
        _cache = _services.GetRequiredService<PresignedUrlCache>();
        Store store = _services.GetRequiredService<SiteTableProvider>().Current.Sites[0].Store;
        _target = new PresignTarget(store, store.CredentialSource.Current, PresignMethod.Get, "releases/1.4.2/app-1.4.2.zip", null, null, null);
        _cache.GetAsync(_target, TimeProvider.System.GetUtcNow(), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        // Keys of 320 CJK characters and a URL of their length: the flood's entries.
        _insertTargets = new PresignTarget[InsertKeys];
        for (int i = 0; i < InsertKeys; i++)
        {
            _insertTargets[i] = new PresignTarget(store, store.CredentialSource.Current, PresignMethod.Get, $"flood/{i}/" + new string((char)(0x4E00 + (i % 5000)), 320), null, null, null);
        }

        _insertValue = new CachedPresignedUrl("https://bench.example.com/" + new string('%', 2900) + "?X-Amz-Signature=" + new string('a', 64), DateTimeOffset.UtcNow.AddHours(1));
        _fullTier = new MemoryTier(100_000, 16L * 1024 * 1024);
        for (int i = 0; i < InsertKeys; i++)
        {
            InsertWithEviction();
        }
    }

    [Benchmark]
    public string InProcessHit()
    {
        ValueTask<CacheLookup> lookup = _cache.GetAsync(_target, TimeProvider.System.GetUtcNow(), CancellationToken.None);
        return lookup.IsCompletedSuccessfully ? lookup.Result.Url.Url : throw new InvalidOperationException("Expected a synchronous hit.");
    }

    [Benchmark]
    public int InsertWithEviction()
    {
        int i = _nextInsert;
        _nextInsert = i + 1 == InsertKeys ? 0 : i + 1;
        _fullTier.Set(_insertTargets[i], _insertValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch);
        return _fullTier.Count;
    }

    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }
}
