using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>
/// A reload changes the Cache, Upstream and ClientRateLimit settings as it changes the site table, or names each
/// setting that only a restart applies; an invalid value is refused with the rest of the reload.
/// </summary>
public sealed class SettingsReloadTests(TestStore store)
{
    private const string Key = "settings-reload/object.bin";

    [Fact]
    public async Task A_client_rate_limit_changed_by_reload_takes_effect_and_a_removed_one_stops()
    {
        await using Watched watched = await StartAsync("""{ "Gateway": { "Cache": { "RefreshBefore": "00:05:00" } } }""");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5), await BurstAsync(watched.Gateway, 5));

        await watched.WriteAsync("""{ "Gateway": { "ClientRateLimit": { "PermitsPerSecond": 1, "Burst": 1 } } }""");
        await WaitForAsync(async () => (await BurstAsync(watched.Gateway, 3)).Contains(HttpStatusCode.TooManyRequests));
        await WaitForLogAsync(watched.Gateway, "[82] Gateway:ClientRateLimit changed from (off) to 1 per second: applied.");

        await watched.WriteAsync("""{ "Gateway": { "Cache": { "RefreshBefore": "00:05:00" } } }""");
        await WaitForLogAsync(watched.Gateway, "[82] Gateway:ClientRateLimit changed from 1 per second to (off): applied.");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5), await BurstAsync(watched.Gateway, 5));
    }

    [Fact]
    public async Task Each_changed_setting_applies_at_once_or_is_named_in_a_warning()
    {
        await using Watched watched = await StartAsync("""{ "Gateway": { "Upstream": { "MaxConnectionsPerServer": 1024 } } }""");
        // One hour URLs, refreshed 5 minutes before they expire: a redirect may be reused for about 55 minutes.
        Assert.InRange(await RedirectMaxAgeAsync(watched.Gateway), 3200, 3300);

        await watched.WriteAsync("""
            { "Gateway": {
                "Upstream": { "MaxConnectionsPerServer": 10, "ResponseHeadersTimeout": "00:00:20" },
                "Cache": { "RefreshBefore": "00:01:00", "Redis": "127.0.0.1:1,password=hunter2-not-logged" },
                "ForwardedHeaders": { "KnownProxies": [ "10.0.0.5" ] } } }
            """);
        await WaitForLogAsync(watched.Gateway, "Configuration reloaded");

        // Applied: the same cached URL may now be reused until a minute before it expires.
        Assert.InRange(await RedirectMaxAgeAsync(watched.Gateway), 3440, 3540);
        IReadOnlyCollection<string> lines = watched.Gateway.Logs.Lines;
        Assert.Contains(lines, line => line.StartsWith("Information", StringComparison.Ordinal)
            && line.Contains("[82] Gateway:Cache:RefreshBefore changed from 00:05:00 to 00:01:00: applied.", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Information", StringComparison.Ordinal)
            && line.Contains("[82] Gateway:Upstream:ResponseHeadersTimeout changed from 00:00:30 to 00:00:20: applied.", StringComparison.Ordinal));
        // Not applied, and said so: the connection pool and the Redis connection are made once.
        Assert.Contains(lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains("[80] Gateway:Upstream:MaxConnectionsPerServer changed from 1024 to 10: it applies at the next start.", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains("[81] Gateway:Cache:Redis changed: it applies at the next start.", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains("[81] Gateway:ForwardedHeaders:KnownProxies:0 changed: it applies at the next start.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("hunter2", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("ConnectTimeout", StringComparison.Ordinal));
        Assert.Equal(watched.Content, await watched.Gateway.Client.GetByteArrayAsync(TestSites.PathFor(StoreKind.OssV4, false, Key), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_access_log_turned_off_by_reload_stops_at_once()
    {
        await using Watched watched = await StartAsync("""{ "Gateway": { "AccessLog": { "Enabled": true } } }""");
        string path = TestSites.PathFor(StoreKind.OssV4, true, Key);
        using (HttpResponseMessage before = await watched.Gateway.Client.GetAsync(path, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Found, before.StatusCode);
        }

        Assert.Single(watched.Gateway.Logs.Lines, line => line.Contains("PresignGateway.Access[100]", StringComparison.Ordinal));

        await watched.WriteAsync("""{ "Gateway": { "AccessLog": { "Enabled": false } } }""");
        await WaitForLogAsync(watched.Gateway, "[82] Gateway:AccessLog:Enabled changed from True to False: applied.");
        using (HttpResponseMessage after = await watched.Gateway.Client.GetAsync(path, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Found, after.StatusCode);
        }

        // A redirect's answer leaves only after its handler returned, past the point where its line is written.
        Assert.Single(watched.Gateway.Logs.Lines, line => line.Contains("PresignGateway.Access[100]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_value_is_refused_and_the_settings_in_force_stay()
    {
        await using Watched watched = await StartAsync("""{ "Gateway": { "Cache": { "RefreshBefore": "00:05:00" } } }""");
        await watched.WriteAsync("""{ "Gateway": { "ClientRateLimit": { "PermitsPerSecond": 1, "Burst": 1 } } }""");
        await WaitForAsync(async () => (await BurstAsync(watched.Gateway, 3)).Contains(HttpStatusCode.TooManyRequests));

        // Applied, a rate of 0 would turn the limit off, and a buffer of 1 byte would crawl: both are refused together.
        await watched.WriteAsync("""{ "Gateway": { "ClientRateLimit": { "PermitsPerSecond": 0 }, "Upstream": { "BodyBufferSize": 1 } } }""");
        await WaitForLogAsync(watched.Gateway, "[9] The changed configuration is invalid and was not applied");
        string rejected = watched.Gateway.Logs.Lines.Single(line => line.Contains("[9] ", StringComparison.Ordinal));
        Assert.Contains("Gateway:ClientRateLimit needs PermitsPerSecond of at least 1", rejected, StringComparison.Ordinal);
        Assert.Contains("Gateway:Upstream:BodyBufferSize must be between", rejected, StringComparison.Ordinal);
        Assert.DoesNotContain(watched.Gateway.Logs.Lines, line => line.Contains("to (off)", StringComparison.Ordinal) || line.Contains("BodyBufferSize changed", StringComparison.Ordinal));

        // The limit in force stays: after a full second, a burst still meets it.
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        HttpStatusCode[] burst = await BurstAsync(watched.Gateway, 3);
        Assert.Equal(HttpStatusCode.OK, burst[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, burst);
        using HttpResponseMessage ready = await watched.Gateway.Client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.StartsWith("Degraded", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<Watched> StartAsync(string json)
    {
        var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "settings.json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        byte[] content = RandomNumberGenerator.GetBytes(64);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), Key, content);
        GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store), configureFiles: configuration => configuration.AddJsonFile(file, optional: false, reloadOnChange: true));
        return new Watched(directory, file, gateway, content);
    }

    /// <summary>Requests sent one after another, as fast as they are answered (well within one second).</summary>
    private static async Task<HttpStatusCode[]> BurstAsync(GatewayHost gateway, int count)
    {
        var statuses = new HttpStatusCode[count];
        for (int i = 0; i < count; i++)
        {
            using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, false, Key), TestContext.Current.CancellationToken);
            statuses[i] = response.StatusCode;
        }

        return statuses;
    }

    private static async Task<long> RedirectMaxAgeAsync(GatewayHost gateway)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.OssV4, true, Key), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return (long)response.Headers.CacheControl!.MaxAge!.Value.TotalSeconds;
    }

    private static Task WaitForLogAsync(GatewayHost gateway, string text)
        => WaitForAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.Contains(text, StringComparison.Ordinal))));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>A gateway that watches one JSON settings file, laid over the test sites.</summary>
    private sealed class Watched(TemporaryDirectory directory, string file, GatewayHost gateway, byte[] content) : IAsyncDisposable
    {
        public GatewayHost Gateway { get; } = gateway;

        public byte[] Content { get; } = content;

        public Task WriteAsync(string json) => File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            directory.Dispose();
        }
    }
}
