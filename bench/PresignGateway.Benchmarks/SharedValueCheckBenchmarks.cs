using System.Buffers;
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
/// What a value read from Redis costs before it may be used (expiry, URL shape, MAC), next to reading it from the
/// payload. Paid once per shared-tier hit, never on an in-process hit.
/// </summary>
[MemoryDiagnoser]
public class SharedValueCheckBenchmarks : IDisposable
{
    private ServiceProvider _services = null!;
    private PresignedUrlCache _cache = null!;
    private PresignTarget _plain;
    private PresignTarget _withOverride;
    private string _plainKey = null!;
    private string _overrideKey = null!;
    private CachedPresignedUrl _plainValue = null!;
    private CachedPresignedUrl _overrideValue = null!;
    private ReadOnlySequence<byte> _payload;
    private readonly SharedValueSerializer _serializer = new();

    [GlobalSetup]
    public void Setup()
    {
        _services = BenchmarkSettings.CacheServices();
        _cache = _services.GetRequiredService<PresignedUrlCache>();
        Store store = _services.GetRequiredService<SiteTableProvider>().Current.Sites[0].Store;
        _plain = new PresignTarget(store, store.CredentialSource.Current, PresignMethod.Get, "releases/1.4.2/app-1.4.2.zip", null, null, null);
        _withOverride = new PresignTarget(store, store.CredentialSource.Current, PresignMethod.Get, "报告/2024年度报告.pdf", null, "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf", null);
        _plainKey = _plain.SharedCacheKey();
        _overrideKey = _withOverride.SharedCacheKey();
        _plainValue = _cache.GetAsync(_plain, TimeProvider.System.GetUtcNow(), CancellationToken.None).AsTask().GetAwaiter().GetResult().Url;
        _overrideValue = _cache.GetAsync(_withOverride, TimeProvider.System.GetUtcNow(), CancellationToken.None).AsTask().GetAwaiter().GetResult().Url;
        var buffer = new ArrayBufferWriter<byte>();
        _serializer.Serialize(_plainValue, buffer);
        _payload = new ReadOnlySequence<byte>(buffer.WrittenMemory.ToArray());
        if (Check() is not null || CheckWithOverride() is not null)
        {
            throw new InvalidOperationException("The benchmark's own values must pass the check.");
        }
    }

    [Benchmark(Baseline = true)]
    public string? Check() => PresignedUrlCache.RejectionReason(_plainValue, _plain, _plainKey, TimeProvider.System.GetUtcNow());

    [Benchmark]
    public string? CheckWithOverride() => PresignedUrlCache.RejectionReason(_overrideValue, _withOverride, _overrideKey, TimeProvider.System.GetUtcNow());

    /// <summary>The URL-shape part alone (no override).</summary>
    [Benchmark]
    public bool Shape() => PresignedUrlShape.Matches(
        _plain.Store.Scheme, _plain.Store.Location, new PresignRequest(_plain.Method, _plain.Key, _plain.Store.UrlLifetime), _plain.Credentials.Credentials, _plainValue.Url, _plainValue.ExpiresAt);

    /// <summary>The MAC part alone: one HMAC-SHA256 over key, expiry and URL, compared in constant time.</summary>
    [Benchmark]
    public bool Mac() => Store.VerifySharedValueMac(_plain.Credentials, _plainKey, _plainValue.Url, _plainValue.ExpiresAt, _plainValue.Mac);

    [Benchmark]
    public string ReadPayload() => _serializer.Deserialize(_payload).Url;

    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }
}
