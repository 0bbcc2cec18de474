using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// A real nginx with <c>proxy_cache</c> on 127.0.0.1 and a free port, in front of a gateway, as a CDN or caching
/// proxy would be: its cache key is the URL (no Referer, no client address), and it honours the origin's
/// Cache-Control. Every answer carries <c>X-Cache-Status</c> (MISS, HIT, ...). The configuration, cache and temp
/// files live in a temporary directory. nginx is installed on the build machine; without it the fixture fails.
/// </summary>
internal sealed class NginxCache : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TemporaryDirectory _directory;
    private readonly StringBuilder _stderr;

    private NginxCache(Process process, TemporaryDirectory directory, StringBuilder stderr, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        _stderr = stderr;
        BaseAddress = baseAddress;
        Client = GatewayHost.CreateClient(baseAddress);
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public static Task<NginxCache> StartAsync(Uri origin)
        => StartAsync((port, dir) => string.Create(CultureInfo.InvariantCulture, $$"""
            proxy_cache_path {{dir}}/cache levels=1 keys_zone=gateway:1m max_size=16m inactive=10m use_temp_path=off;
            server {
                listen 127.0.0.1:{{port}};
                location / {
                    proxy_pass http://127.0.0.1:{{origin.Port}};
                    proxy_http_version 1.1;
                    proxy_set_header Host $host;
                    proxy_cache gateway;
                    add_header X-Cache-Status $upstream_cache_status always;
                }
            }
            """));

    /// <summary>Starts nginx with the given contents of its <c>http</c> block (given the port to listen on and a directory of its own).</summary>
    public static async Task<NginxCache> StartAsync(Func<int, string, string> httpBlock)
    {
        var directory = new TemporaryDirectory();
        int port = Hosting.GatewayProcessTests.FreePort();
        string dir = directory.Path;
        string config = string.Create(CultureInfo.InvariantCulture, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
            {{httpBlock(port, dir)}}
            }
            """);
        string configPath = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);

        var startInfo = new ProcessStartInfo("nginx")
        {
            ArgumentList = { "-p", dir, "-c", configPath, "-e", "stderr" },
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
            throw new InvalidOperationException("nginx is not installed (apt-get install nginx).", e);
        }

        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new NginxCache(process, directory, stderr, new Uri($"http://127.0.0.1:{port}/"));
        if (!await ListeningProcess.WaitUntilListeningAsync(process, port, TimeSpan.FromSeconds(10)))
        {
            await nginx.DisposeAsync();
            throw new InvalidOperationException($"nginx exited at start-up: {nginx.Errors}");
        }

        return nginx;
    }

    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }
}
