using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>The built gateway as an operator runs it: configured through the environment, failing fast on bad configuration.</summary>
public sealed class GatewayProcessTests(TestStore store)
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll");

    [Fact]
    public async Task Invalid_configuration_stops_start_up_with_every_problem_listed()
    {
        var environment = new Dictionary<string, string?>
        {
            ["Gateway__Stores__broken__Provider"] = "Gcs",
            ["Gateway__Stores__broken__Endpoint"] = "ftp://files.example.com",
            ["Gateway__Stores__broken__Region"] = "us-east-1",
            ["Gateway__Stores__broken__Bucket"] = "Bad_Bucket",
            ["Gateway__Stores__broken__AccessKeySecret"] = "a-secret-that-must-not-be-printed",
            ["Gateway__Sites__orphan__Hosts__0"] = "files.example.com",
            ["Gateway__Sites__orphan__Store"] = "nowhere",
            ["Gateway__Sites__orphan__Mode"] = "Teleport",
        };

        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet", [GatewayDll, "--urls", "http://127.0.0.1:0"], environment, timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains("the configuration is invalid", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Stores:broken:Provider is 'Gcs': use one of OssV4, OssV1, S3V4.", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Stores:broken:Endpoint: The endpoint must be an absolute http or https URL", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Stores:broken:Bucket: A bucket name has 3 to 63 characters", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Stores:broken: set both AccessKeyId and AccessKeySecret", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Sites:orphan:Store 'nowhere' is not a configured store; the stores are: broken, demo.", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Sites:orphan:Mode is 'Teleport': use one of Proxy, Redirect.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-that-must-not-be-printed", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Site_and_store_added_through_the_environment_alone_serve_downloads()
    {
        string key = $"env/{Guid.NewGuid():N}/notes.txt";
        byte[] content = RandomNumberGenerator.GetBytes(777);
        await store.PutObjectAsync("s3-bucket", key, content);
        int port = FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["Gateway__Stores__files__Provider"] = "s3v4",
            ["Gateway__Stores__files__Endpoint"] = store.Endpoint,
            ["Gateway__Stores__files__Region"] = "us-east-1",
            ["Gateway__Stores__files__Bucket"] = "s3-bucket",
            ["Gateway__Stores__files__Addressing"] = "path",
            // No keys in configuration: the AWS SDK's variable names are the fallback.
            ["AWS_ACCESS_KEY_ID"] = TestStore.S3AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = TestStore.S3AccessKeySecret,
            ["Gateway__Sites__docs__Hosts__0"] = "docs.example.com",
            ["Gateway__Sites__docs__Store"] = "files",
            ["Gateway__Sites__docs__KeyPrefix"] = "env/",
            ["Gateway__Sites__any__Hosts__0"] = "*",
            ["Gateway__Sites__any__Store"] = "files",
        };

        using Process gateway = StartGateway(port, environment);
        try
        {
            using HttpClient client = GatewayHost.CreateClient(new Uri($"http://127.0.0.1:{port}"));
            await WaitUntilHealthyAsync(client);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/" + key["env/".Length..]);
            request.Headers.Host = "docs.example.com";
            using HttpResponseMessage response = await client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

            // The demo site keeps answering on the exact host localhost; the '*' site takes everything else.
            using HttpResponseMessage viaWildcard = await client.GetAsync("/" + key, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, viaWildcard.StatusCode);
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    internal static Process StartGateway(int port, IReadOnlyDictionary<string, string?> environment)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { GatewayDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string? value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the gateway.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitUntilHealthyAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using HttpResponseMessage health = await client.GetAsync("/healthz", timeout.Token);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
