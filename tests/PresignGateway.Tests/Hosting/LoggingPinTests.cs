using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Hosting;

/// <summary>
/// Whatever logging configuration an operator sets, the console of the real gateway process never shows a presigned
/// URL's signature, a signed link's sig, a key id or a secret: the framework categories that log URLs are pinned in code.
/// </summary>
public sealed class LoggingPinTests(TestStore store)
{
    private const string LinkSecret = "link-secret-for-the-logging-pin-test";
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll");

    public static TheoryData<string[]> Overrides => new()
    {
        { ["--Logging:Console:LogLevel:Default=Information"] },
        { ["--Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder=Information"] },
        { ["--Logging:LogLevel:Default=Trace"] },
        { ["--Logging:Console:LogLevel:Yarp=Trace"] },
        { ["--Logging:LogLevel:Microsoft.AspNetCore=Information"] },
        {
            [
                "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace",
                "--Logging:LogLevel:Yarp=Trace", "--Logging:LogLevel:System=Trace", "--Logging:Console:LogLevel:Default=Trace",
                "--Logging:Console:FormatterOptions:IncludeScopes=true",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Overrides))]
    public async Task No_console_line_carries_a_signature_a_link_sig_a_key_id_or_a_secret(string[] overrides)
    {
        string key = $"logging/{Guid.NewGuid():N}.txt";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(64));
        int port = GatewayProcessTests.FreePort();
        var lines = new ConcurrentQueue<string>();
        using Process gateway = Start(port, overrides, lines);
        var secrets = new List<string> { TestStore.OssAccessKeyId, TestStore.OssAccessKeySecret, LinkSecret };
        try
        {
            using HttpClient client = GatewayHost.CreateClient(new Uri($"http://127.0.0.1:{port}"));
            await GatewayProcessTests.WaitUntilHealthyAsync(client);

            // Proxy mode: the signature is the one the store received.
            using HttpResponseMessage proxied = await client.GetAsync("/p/" + key, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            secrets.Add(QueryValue((await store.RequestsForAsync(key))[^1].Url, "x-oss-signature"));

            // Redirect mode: the signature the client was sent to.
            using HttpResponseMessage redirected = await client.GetAsync("/r/" + key + "?filename=renamed.txt", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Found, redirected.StatusCode);
            secrets.Add(QueryValue(redirected.Headers.Location!.OriginalString, "x-oss-signature"));

            // A signed link, as sign-link prints it.
            (int exitCode, string link, string error) = await ProcessRunner.RunAsync(
                "dotnet", [GatewayDll, "sign-link", "--url", $"http://127.0.0.1:{port}/s/{key}", "--expires-in", "600"],
                new Dictionary<string, string?> { ["GATEWAY_LINK_SECRET"] = LinkSecret }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(exitCode == 0, error);
            using HttpResponseMessage signed = await client.GetAsync(link.Trim(), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
            secrets.Add(QueryValue(link.Trim(), "sig"));
        }
        finally
        {
            await StopAsync(gateway);
        }

        Assert.Contains(lines, line => line.Contains("Now listening on", StringComparison.Ordinal) || line.Contains("Content root path", StringComparison.Ordinal));
        foreach (string secret in secrets)
        {
            Assert.True(secret.Length >= 16, $"'{secret}' is too short to be searched for");
            string[] leaks = [.. lines.Where(line => line.Contains(secret, StringComparison.Ordinal) || line.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal))];
            Assert.True(leaks.Length == 0, $"{leaks.Length} console lines carry a credential, such as:\n{leaks.FirstOrDefault()}");
        }
    }

    private Process Start(int port, string[] overrides, ConcurrentQueue<string> lines)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { GatewayDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in overrides)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var environment = new Dictionary<string, string?>
        {
            ["Gateway__Stores__logs__Provider"] = "OssV4",
            ["Gateway__Stores__logs__Endpoint"] = store.Endpoint,
            ["Gateway__Stores__logs__Region"] = "cn-hangzhou",
            ["Gateway__Stores__logs__Bucket"] = TestSites.Bucket(StoreKind.OssV4),
            ["Gateway__Stores__logs__Addressing"] = "Path",
            ["Gateway__Stores__logs__AccessKeyId"] = TestStore.OssAccessKeyId,
            ["Gateway__Stores__logs__AccessKeySecret"] = TestStore.OssAccessKeySecret,
            ["Gateway__Sites__proxy__Hosts__0"] = "127.0.0.1",
            ["Gateway__Sites__proxy__PathPrefix"] = "/p",
            ["Gateway__Sites__proxy__Store"] = "logs",
            ["Gateway__Sites__redirect__Hosts__0"] = "127.0.0.1",
            ["Gateway__Sites__redirect__PathPrefix"] = "/r",
            ["Gateway__Sites__redirect__Store"] = "logs",
            ["Gateway__Sites__redirect__Mode"] = "Redirect",
            ["Gateway__Sites__redirect__AllowedQuery__0"] = "filename",
            ["Gateway__Sites__signed__Hosts__0"] = "127.0.0.1",
            ["Gateway__Sites__signed__PathPrefix"] = "/s",
            ["Gateway__Sites__signed__Store"] = "logs",
            ["Gateway__Sites__signed__Protection__SignedLinks__Secrets__0"] = LinkSecret,
        };
        foreach ((string name, string? value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the gateway.");
        process.OutputDataReceived += (_, e) => lines.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => lines.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGTERM, so the console logger flushes every line before the process ends.</summary>
    private static async Task StopAsync(Process gateway)
    {
        if (!gateway.HasExited)
        {
            await ProcessRunner.RunAsync("kill", ["-TERM", gateway.Id.ToString(CultureInfo.InvariantCulture)], cancellationToken: TestContext.Current.CancellationToken);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await gateway.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            gateway.Kill(entireProcessTree: true);
        }

        // Drains the redirected output.
        gateway.WaitForExit();
    }

    private static string QueryValue(string url, string name)
    {
        string query = url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..];
        foreach (string pair in query.Split('&'))
        {
            if (pair.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(pair[(name.Length + 1)..]);
            }
        }

        throw new InvalidOperationException($"{name} is not in the query.");
    }
}
