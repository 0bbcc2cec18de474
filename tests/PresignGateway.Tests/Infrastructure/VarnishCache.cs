using System.Diagnostics;
using System.Text;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// A real Varnish (varnishd in the foreground) on 127.0.0.1 and a free port with a given VCL, its working directory
/// and VCL in a temporary directory. tests/setup.sh installs varnish; without it the fixture fails.
/// </summary>
internal sealed class VarnishCache : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TemporaryDirectory _directory;
    private readonly StringBuilder _output = new();

    private VarnishCache(Process process, TemporaryDirectory directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        Client = GatewayHost.CreateClient(baseAddress);
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public static async Task<VarnishCache> StartAsync(string vcl)
    {
        var directory = new TemporaryDirectory();
        // varnishd's worker runs as its own user: it must be able to read the VCL and its working directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        string vclPath = Path.Combine(directory.Path, "default.vcl");
        await File.WriteAllTextAsync(vclPath, vcl);
        int port = Hosting.GatewayProcessTests.FreePort();
        var startInfo = new ProcessStartInfo("varnishd")
        {
            ArgumentList = { "-F", "-n", Path.Combine(directory.Path, "work"), "-a", $"127.0.0.1:{port}", "-f", vclPath, "-s", "malloc,64m", "-p", "thread_pool_min=5" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            directory.Dispose();
            throw new InvalidOperationException("varnishd is not installed (apt-get install varnish; tests/setup.sh does it).", e);
        }

        var varnish = new VarnishCache(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, line) => varnish.Append(line.Data);
        process.ErrorDataReceived += (_, line) => varnish.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!await ListeningProcess.WaitUntilListeningAsync(process, port, TimeSpan.FromSeconds(30)))
        {
            await varnish.DisposeAsync();
            throw new InvalidOperationException($"varnishd exited at start-up: {varnish.Output}");
        }

        return varnish;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            if (_output.Length < 20_000)
            {
                _output.AppendLine(line);
            }
        }
    }
}
