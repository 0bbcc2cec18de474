using System.Net;
using System.Net.Http.Json;
using PresignGateway.Configuration;
using PresignGateway.Listing;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Listing;

/// <summary>Clients asking for the same page at once share one store request; one of them going away cancels nothing for the rest.</summary>
public sealed class ListingCoalescingTests(TestStore store)
{
    [Fact]
    public async Task Concurrent_requests_for_one_page_cost_one_store_request()
    {
        string run = $"coalesce-{Guid.NewGuid():N}";
        using HttpResponseMessage put = await store.Admin.PostAsJsonAsync(
            $"/__store/objects:batch?bucket={TestSites.Bucket(StoreKind.S3V4)}", new[] { new { key = run + "/d/a.txt", body = "a" } }, TestContext.Current.CancellationToken);
        put.EnsureSuccessStatusCode();
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:co:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:co:PathPrefix"] = "/co";
        settings["Gateway:Sites:co:Store"] = "s3";
        settings["Gateway:Sites:co:KeyPrefix"] = run + "/";
        settings["Gateway:Sites:co:Listing"] = "On";
        settings["Gateway:Sites:co:ListingCacheDuration"] = "00:00:00";
        var slow = new SlowListings();
        await using GatewayHost host = await GatewayHost.StartAsync(settings, services => services.AddSingleton(provider => new StoreLister(
            new HttpMessageInvoker(slow), provider.GetRequiredService<OptionsInForce>(), provider.GetRequiredService<ILogger<StoreLister>>())));

        // One client gives up at once: the others still get their page.
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Task<HttpResponseMessage> gone = host.Client.GetAsync("/co/d/", impatient.Token);
        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Client.GetAsync("/co/d/", TestContext.Current.CancellationToken)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, slow.Lists);
        using HttpResponseMessage later = await host.Client.GetAsync("/co/d/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Equal(2, slow.Lists);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    /// <summary>The real client to the store, with each listing request held for a moment and counted.</summary>
    private sealed class SlowListings() : DelegatingHandler(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        private int _lists;

        public int Lists => Volatile.Read(ref _lists);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Query.Contains("list-type=2", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _lists);
                await Task.Delay(500, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
