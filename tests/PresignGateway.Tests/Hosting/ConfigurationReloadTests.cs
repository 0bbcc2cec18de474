using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>
/// Configuration files change while the gateway runs: a file that breaks is reported and holds every change back
/// (its settings are never silently dropped), and the file the operator names with <c>--config</c> is the one watched.
/// </summary>
public sealed class ConfigurationReloadTests(TestStore store)
{
    [Fact]
    public async Task A_broken_file_holds_every_change_back_until_it_is_fixed()
    {
        using var directory = new TemporaryDirectory();
        string sites = Path.Combine(directory.Path, "sites.json");
        string other = Path.Combine(directory.Path, "other.json");
        // Keys of this test's own: other tests upload their own releases for the same alias at the same time.
        string oldKey = $"reload/{Guid.NewGuid():N}/1.0.0/app.zip";
        string newKey = $"reload/{Guid.NewGuid():N}/2.0.0/app.zip";
        await File.WriteAllTextAsync(sites, AliasJson(oldKey), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(other, RefreshJson("00:05:00"), TestContext.Current.CancellationToken);
        byte[] oldRelease = RandomNumberGenerator.GetBytes(100);
        byte[] newRelease = RandomNumberGenerator.GetBytes(200);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), oldKey, oldRelease);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), newKey, newRelease);
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store), configureFiles: configuration => configuration
            .AddJsonFile(sites, optional: false, reloadOnChange: true)
            .AddJsonFile(other, optional: false, reloadOnChange: true));
        Assert.Equal(oldRelease, await gateway.Client.GetByteArrayAsync("/oss4/stable/app.zip", TestContext.Current.CancellationToken));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("[31] Watching the configuration file " + sites, StringComparison.Ordinal));

        // Broken JSON: reported at Error, naming the file, and readiness says so.
        await File.WriteAllTextAsync(sites, """{ "Gateway": { "Sites": { "proxy-OssV4": """, TestContext.Current.CancellationToken);
        await WaitForAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(sites + " failed to load", StringComparison.Ordinal))));
        Assert.Equal(
            "Degraded\nconfiguration: The configuration file sites.json doesn't load (see the log); the configuration from before stays in force.",
            await ReadinessAsync(gateway));

        // Another source changes: nothing applies while sites.json is broken, so its alias is still served.
        await File.WriteAllTextAsync(other, RefreshJson("00:04:00"), TestContext.Current.CancellationToken);
        await WaitForAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.Contains("[35] A configuration change was not applied", StringComparison.Ordinal))));
        Assert.Equal(oldRelease, await gateway.Client.GetByteArrayAsync("/oss4/stable/app.zip", TestContext.Current.CancellationToken));
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("Configuration reloaded", StringComparison.Ordinal));

        // Fixed: the file loads, the change applies, readiness is healthy again.
        await File.WriteAllTextAsync(sites, AliasJson(newKey), TestContext.Current.CancellationToken);
        await WaitForAsync(async () => (await gateway.Client.GetByteArrayAsync("/oss4/stable/app.zip", TestContext.Current.CancellationToken)).SequenceEqual(newRelease));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains(sites + " loads again", StringComparison.Ordinal));
        Assert.Equal("Healthy", await ReadinessAsync(gateway));
    }

    [Fact]
    public async Task The_config_file_is_loaded_watched_and_named_at_start_up()
    {
        using var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "gateway.json");
        byte[] first = RandomNumberGenerator.GetBytes(300);
        byte[] second = RandomNumberGenerator.GetBytes(400);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), "config-file/first.bin", first);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), "config-file/second.bin", second);
        await File.WriteAllTextAsync(file, ConfigJson("config-file/first.bin"), TestContext.Current.CancellationToken);
        int port = GatewayProcessTests.FreePort();
        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll"), "--urls", $"http://127.0.0.1:{port}", "--config", file },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var lines = new ConcurrentQueue<string>();
        using Process gateway = Process.Start(startInfo)!;
        gateway.OutputDataReceived += (_, e) => lines.Enqueue(e.Data ?? "");
        gateway.ErrorDataReceived += (_, e) => lines.Enqueue(e.Data ?? "");
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            using HttpClient client = GatewayHost.CreateClient(new Uri($"http://127.0.0.1:{port}"));
            await GatewayProcessTests.WaitUntilHealthyAsync(client);
            Assert.Equal(first, await client.GetByteArrayAsync("/config/latest.bin", TestContext.Current.CancellationToken));
            Assert.Contains(lines, line => line.Contains($"Watching the configuration file {file} (present)", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.Contains("Watching the configuration file " + Path.Combine(AppContext.BaseDirectory, "appsettings.json"), StringComparison.Ordinal));

            await File.WriteAllTextAsync(file, ConfigJson("config-file/second.bin"), TestContext.Current.CancellationToken);

            await WaitForAsync(async () => (await client.GetByteArrayAsync("/config/latest.bin", TestContext.Current.CancellationToken)).SequenceEqual(second));
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync(CancellationToken.None);
        }
    }

    private string ConfigJson(string key) => $$"""
        {
          "Gateway": {
            "Stores": {
              "configured": {
                "Provider": "OssV4", "Endpoint": "{{store.Endpoint}}", "Region": "cn-hangzhou", "Bucket": "{{TestSites.Bucket(StoreKind.OssV4)}}",
                "Addressing": "Path", "AccessKeyId": "{{TestStore.OssAccessKeyId}}", "AccessKeySecret": "{{TestStore.OssAccessKeySecret}}"
              }
            },
            "Sites": {
              "configured": {
                "Hosts": [ "127.0.0.1" ], "PathPrefix": "/config", "Store": "configured",
                "Aliases": { "/config/latest.bin": { "Key": "{{key}}" } }
              }
            }
          }
        }
        """;

    private static string AliasJson(string key)
        => $$"""{ "Gateway": { "Sites": { "proxy-OssV4": { "Aliases": { "/oss4/stable/app.zip": { "Key": "{{key}}" } } } } } }""";

    private static string RefreshJson(string refreshBefore)
        => $$"""{ "Gateway": { "Cache": { "RefreshBefore": "{{refreshBefore}}" } } }""";

    private static async Task<string> ReadinessAsync(GatewayHost gateway)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}
