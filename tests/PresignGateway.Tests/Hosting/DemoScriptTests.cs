using System.Diagnostics;
using System.Net;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>
/// README's first command, <c>deploy/demo.sh</c>, really starts a working demo, and the curl and wget lines README
/// gives for it do what README says.
/// </summary>
public sealed class DemoScriptTests
{
    [Fact]
    public async Task Demo_starts_and_the_readme_commands_work()
    {
        int storePort = GatewayProcessTests.FreePort();
        int gatewayPort = GatewayProcessTests.FreePort();
        string gateway = $"http://localhost:{gatewayPort}";
        var startInfo = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(RepositoryPaths.Root, "deploy", "demo.sh") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            Environment = { ["DEMO_STORE_PORT"] = storePort.ToString(System.Globalization.CultureInfo.InvariantCulture), ["DEMO_GATEWAY_URL"] = gateway },
        };
        using Process demo = Process.Start(startInfo)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        demo.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        demo.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        using var directory = new TemporaryDirectory();
        try
        {
            using HttpClient client = GatewayHost.CreateClient(new Uri(gateway));
            await WaitForDemoAsync(client, demo, output);

            Assert.Contains(output, line => line.Contains($"curl -OJ {gateway}/latest/app.zip", StringComparison.Ordinal));
            await Run("curl", "-sSf", "-i", $"{gateway}/hello.txt");
            await Run("curl", "-sSf", "-OJ", $"{gateway}/latest/app.zip");
            await Run("wget", "-q", "--content-disposition", $"{gateway}/%E6%8A%A5%E5%91%8A%202024.pdf");
            await Run("curl", "-sSf", "-r", "0-99999", "-o", "big.bin", $"{gateway}/big.bin");
            await Run("curl", "-sSf", "-C", "-", "-o", "big.bin", $"{gateway}/big.bin");
            await Run("curl", "-sSf", "-o", "greeting.txt", "-D", "-", $"{gateway}/hello.txt?filename=greeting.txt");
            string head = await Run("curl", "-sSf", "-I", $"{gateway}/r/hello.txt");
            await Run("curl", "-sSf", "-L", "-OJ", $"{gateway}/r/hello.txt");

            Assert.Equal(65536, new FileInfo(Path.Combine(directory.Path, "app.zip")).Length);
            Assert.True(File.Exists(Path.Combine(directory.Path, "报告 2024.pdf")));
            Assert.Equal(8 * 1024 * 1024, new FileInfo(Path.Combine(directory.Path, "big.bin")).Length);
            byte[] whole = await client.GetByteArrayAsync("/big.bin", TestContext.Current.CancellationToken);
            Assert.Equal(whole, await File.ReadAllBytesAsync(Path.Combine(directory.Path, "big.bin"), TestContext.Current.CancellationToken));
            Assert.Equal("Hello from PresignGateway.\n", await File.ReadAllTextAsync(Path.Combine(directory.Path, "hello.txt"), TestContext.Current.CancellationToken));
            Assert.StartsWith("HTTP/1.1 302", head, StringComparison.Ordinal);
            // The demo talks to a person: plain log lines ("info: ..."), not the JSON lines of a deployment.
            Assert.Contains(output, line => line.Contains("info: PresignGateway.", StringComparison.Ordinal));
            Assert.DoesNotContain(output, line => line.StartsWith("{\"Timestamp\"", StringComparison.Ordinal));
        }
        finally
        {
            // The script's trap stops the store; the gateway (dotnet run) goes with the process tree.
            demo.Kill(entireProcessTree: true);
            await demo.WaitForExitAsync(CancellationToken.None);
        }

        async Task<string> Run(string tool, params string[] arguments)
        {
            (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
                tool, arguments, workingDirectory: directory.Path, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(exitCode == 0, $"{tool} {string.Join(' ', arguments)}: exit {exitCode}: {stderr}");
            return stdout;
        }
    }

    private static async Task WaitForDemoAsync(HttpClient client, Process demo, IEnumerable<string> output)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (true)
        {
            if (demo.HasExited)
            {
                throw new InvalidOperationException("The demo exited: " + string.Join(Environment.NewLine, output));
            }

            try
            {
                using HttpResponseMessage response = await client.GetAsync("/hello.txt", timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Still building or starting.
            }

            await Task.Delay(250, timeout.Token);
        }
    }
}
