using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>
/// A configuration the gateway can't read stops the real process with exit code 1 and one message naming the
/// setting or file, never a stack trace, whether the binder, a parser or the validation finds it.
/// </summary>
public sealed class StartupErrorTests
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll");

    [Fact]
    public async Task A_value_the_binder_cannot_convert_is_named()
    {
        string stderr = await FailToStartAsync(["--Gateway:Cache:MaxEntries=abc", "--Gateway:Upstream:ConnectTimeout=soon"]);

        Assert.Contains("Gateway:Cache:MaxEntries is 'abc': expected a whole number.", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Upstream:ConnectTimeout is 'soon': expected a time span", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_store_setting_is_named_and_the_store_stays()
    {
        string stderr = await FailToStartAsync([], new()
        {
            ["Gateway__Stores__files__Provider"] = "S3V4",
            ["Gateway__Stores__files__Endpoint"] = "http://127.0.0.1:1",
            ["Gateway__Stores__files__Region"] = "us-east-1",
            ["Gateway__Stores__files__Bucket"] = "files",
            ["Gateway__Stores__files__AccessKeyId"] = "AKIDSTARTUPTEST00001",
            ["Gateway__Stores__files__AccessKeySecret"] = "startup-test-secret",
            ["Gateway__Stores__files__UrlLifetime"] = "abc",
            ["Gateway__Sites__files__Hosts__0"] = "files.example.com",
            ["Gateway__Sites__files__Store"] = "files",
        });

        Assert.Contains("Gateway:Stores:files:UrlLifetime is 'abc': expected a time span", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not a configured store", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("startup-test-secret", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_forwarded_header_proxies_and_telemetry_settings_are_named_together()
    {
        string stderr = await FailToStartAsync(["--Gateway:Telemetry:PrometheusEndpoint=yes please", "--Kestrel:Limits:MaxRequestLineSize=big"], new()
        {
            ["Gateway__ForwardedHeaders__KnownProxies__0"] = "10.0.0.300",
            ["Gateway__ForwardedHeaders__KnownNetworks__0"] = "10.0.0.0/33",
        });

        Assert.Contains("Gateway:ForwardedHeaders:KnownProxies:0 is '10.0.0.300'", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:ForwardedHeaders:KnownNetworks:0 is '10.0.0.0/33'", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Telemetry:PrometheusEndpoint is 'yes please': expected true or false.", stderr, StringComparison.Ordinal);
        Assert.Contains("Kestrel:Limits:MaxRequestLineSize is 'big': expected a whole number.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_with_broken_json_is_named()
    {
        using var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "gateway.json");
        await File.WriteAllTextAsync(file, """{ "Gateway": { "Cache": { "MaxEntries": 10 """, TestContext.Current.CancellationToken);

        string stderr = await FailToStartAsync(["--config", file]);

        Assert.Contains($"Failed to load configuration from file '{file}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_file_is_named()
    {
        string file = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        string stderr = await FailToStartAsync([], new() { ["GATEWAY_CONFIG"] = file });

        Assert.Contains($"The configuration file '{file}' (--config or GATEWAY_CONFIG) does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_built_in_appsettings_json_with_broken_json_is_named()
    {
        // A copy of the built gateway whose own appsettings.json is broken.
        using var copy = new TemporaryDirectory();
        foreach (string source in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy.Path, Path.GetRelativePath(AppContext.BaseDirectory, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        string appsettings = Path.Combine(copy.Path, "appsettings.json");
        await File.WriteAllTextAsync(appsettings, """{ "Gateway": { "Sites": [ } }""", TestContext.Current.CancellationToken);

        string stderr = await FailToStartAsync([], dll: Path.Combine(copy.Path, "PresignGateway.dll"));

        Assert.Contains($"Failed to load configuration from file '{appsettings}'", stderr, StringComparison.Ordinal);
    }

    private static async Task<string> FailToStartAsync(string[] arguments, Dictionary<string, string?>? environment = null, string? dll = null)
    {
        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet", [dll ?? GatewayDll, "--urls", "http://127.0.0.1:0", .. arguments], environment,
            timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 1, $"exit code {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("PresignGateway: the configuration is invalid:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr + stdout, StringComparison.Ordinal);
        return stderr;
    }
}
