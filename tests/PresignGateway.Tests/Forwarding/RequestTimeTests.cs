using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// A download reads the clock once, on arrival, and every stage (protection, cache, redirect lifetime, the store's
/// clock skew) judges by that one instant: two reads could disagree across a second or an expiry boundary.
/// </summary>
public sealed class RequestTimeTests(TestStore store)
{
    [Theory]
    [InlineData(StoreKind.OssV4, false)]
    [InlineData(StoreKind.S3V4, false)]
    [InlineData(StoreKind.OssV4, true)]
    public async Task A_download_reads_the_clock_once(StoreKind kind, bool redirect)
    {
        var clock = new CountingTimeProvider();
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store), services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IStartupFilter>(new CountReadsPerRequest(clock));
        });
        string key = $"time/{Guid.NewGuid():N}.bin";
        await store.PutObjectAsync(TestSites.Bucket(kind), key, RandomNumberGenerator.GetBytes(64));
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = gateway.Client.BaseAddress };

        // The first download signs (a cache miss), the second is served from the in-process tier.
        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(TestSites.PathFor(kind, redirect, key), TestContext.Current.CancellationToken);
            Assert.Equal(redirect ? HttpStatusCode.Found : HttpStatusCode.OK, response.StatusCode);
        }

        // The count is taken when the server's pipeline returns, which can be just after the client has the response.
        for (var waited = Stopwatch.StartNew(); clock.Reads.Count < 2 && waited.Elapsed < TimeSpan.FromSeconds(5);)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal([1, 1], clock.ReadsPerRequest);
    }

    /// <summary>
    /// The system clock, counting the gateway's own reads made on behalf of the request in flight (an async-local
    /// counter). HybridCache stamps each miss with its own read, which is the library's business, not the flow's.
    /// </summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private readonly AsyncLocal<StrongBox<int>?> _current = new();

        public ConcurrentQueue<int> Reads { get; } = new();

        public int[] ReadsPerRequest => [.. Reads];

        public override DateTimeOffset GetUtcNow()
        {
            if (_current.Value is { } counter && new StackFrame(1).GetMethod()?.DeclaringType?.Assembly == typeof(PresignGateway.Hosting.GatewayApplication).Assembly)
            {
                Interlocked.Increment(ref counter.Value);
            }

            return System.GetUtcNow();
        }

        public async Task CountAsync(HttpContext context, RequestDelegate next)
        {
            var counter = new StrongBox<int>();
            _current.Value = counter;
            await next(context);
            Reads.Enqueue(Volatile.Read(ref counter.Value));
        }
    }

    private sealed class CountReadsPerRequest(CountingTimeProvider clock) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextDelegate) => clock.CountAsync(context, nextDelegate));
            next(app);
        };
    }
}
