using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

[assembly: AssemblyFixture(typeof(PresignGateway.Tests.Infrastructure.TestStore))]

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// The signature-checking object store (tests/TestStore, Node) on 127.0.0.1, one for the whole test assembly.
/// It verifies every presigned request with the official SDK code, serves objects with real Range and conditional
/// semantics, records each raw request target, and injects faults on demand. Tests use unique keys so they never
/// see each other's objects.
/// </summary>
public sealed class TestStore : IAsyncLifetime
{
    public const string OssAccessKeyId = "fake-oss-gateway-test-0001";
    public const string OssAccessKeySecret = "OssTestSecret/abc+123=xyz";
    public const string S3AccessKeyId = "fake-s3-gateway-test-0001";
    public const string S3AccessKeySecret = "S3TestSecret/EXAMPLE+key==";

    /// <summary>A second OSS key pair the store accepts too, for key-rotation tests.</summary>
    public const string RotatedAccessKeyId = "fake-oss-rotated-key-0002";
    public const string RotatedAccessKeySecret = "RotatedSecret/xyz+987=abc";

    /// <summary>Requests for this host name are custom-domain requests for <see cref="CnameBucket"/>.</summary>
    public const string CnameHost = "localhost";
    public const string CnameBucket = "cname-bucket";

    /// <summary>
    /// The base host of virtual-hosted requests: <c>&lt;bucket&gt;.localhost:PORT</c> is <c>bucket</c>. The names resolve
    /// to loopback through libnss-myhostname (RFC 6761); see <see cref="LoopbackNames"/>.
    /// </summary>
    public const string VirtualHostBase = "localhost";

    private Process? _process;
    private readonly StringWriterLog _stderr = new();

    public int Port { get; private set; }

    /// <summary>The store's endpoint for path-style and IP addressing.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The custom-domain endpoint: same server, Host <c>localhost</c>.</summary>
    public string CnameEndpoint => $"http://{CnameHost}:{Port}";

    /// <summary>The endpoint of the virtual-hosted stores: the gateway signs for and sends to <c>bucket.localhost:PORT</c>.</summary>
    public string VirtualHostEndpoint => $"http://{VirtualHostBase}:{Port}";

    /// <summary>The Host a virtual-hosted request for <paramref name="bucket"/> carries: <c>bucket.localhost:PORT</c>.</summary>
    public string VirtualHost(string bucket) => $"{bucket}.{VirtualHostBase}:{Port}";

    public HttpClient Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await EnsureInstalledAsync();
        string config = JsonSerializer.Serialize(new
        {
            credentials = new[]
            {
                new { accessKeyId = OssAccessKeyId, accessKeySecret = OssAccessKeySecret },
                new { accessKeyId = S3AccessKeyId, accessKeySecret = S3AccessKeySecret },
                new { accessKeyId = RotatedAccessKeyId, accessKeySecret = RotatedAccessKeySecret },
            },
            cname = new Dictionary<string, string> { [CnameHost] = CnameBucket },
            virtualHostBases = new[] { VirtualHostBase },
            buckets = new[] { "oss-bucket", "s3-bucket", CnameBucket }.Concat(Enum.GetValues<StoreKind>().Select(TestSites.VirtualHostedBucket)).ToArray(),
        });
        var startInfo = new ProcessStartInfo("node")
        {
            ArgumentList = { Path.Combine(RepositoryPaths.TestStore, "server.js"), "--port", "0", "--config-json", config },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start node for the test store.");
        _process.ErrorDataReceived += (_, e) => _stderr.Add(e.Data);
        _process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            throw new InvalidOperationException($"The test store exited before listening: {_stderr}");
        }

        Port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        Admin = new HttpClient { BaseAddress = new Uri(Endpoint), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        await ValueTask.CompletedTask;
    }

    public async Task PutObjectAsync(string bucket, string key, byte[] content, string contentType = "application/octet-stream", string? cacheControl = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/__store/objects?bucket={bucket}&key={Uri.EscapeDataString(key)}")
        {
            Content = new ByteArrayContent(content),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (cacheControl is not null)
        {
            request.Headers.Add("x-store-cache-control", cacheControl);
        }

        using HttpResponseMessage response = await Admin.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"Upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Recorded object requests whose decoded key is <paramref name="key"/>.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> RequestsForAsync(string key)
    {
        List<RecordedRequest> all = await Admin.GetFromJsonAsync<List<RecordedRequest>>("/__store/requests", JsonOptions) ?? [];
        return all.Where(r => r.Key == key).ToList();
    }

    /// <summary>Queues a fault for the next <paramref name="times"/> requests whose key contains <paramref name="match"/>.</summary>
    public async Task AddFaultAsync(string match, string kind, int? status = null, int? delayMs = null, int? times = 1)
    {
        using HttpResponseMessage response = await Admin.PostAsJsonAsync("/__store/faults", new { match, kind, status, delayMs, times });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Queues an <c>error</c> fault: after checking the signature, the store answers <paramref name="status"/> with an
    /// XML error of <paramref name="code"/> and <paramref name="message"/>, and with <paramref name="ec"/> OSS's
    /// <c>x-oss-ec</c> header and <c>&lt;EC&gt;</c> element.
    /// </summary>
    public async Task AddErrorFaultAsync(string match, int status, string code, string? message = null, string? ec = null, int? times = 1)
    {
        using HttpResponseMessage response = await Admin.PostAsJsonAsync("/__store/faults", new { match, kind = "error", status, code, message, ec, times });
        response.EnsureSuccessStatusCode();
    }

    public async Task SetClockOffsetAsync(int offsetSeconds)
    {
        using HttpResponseMessage response = await Admin.PutAsJsonAsync("/__store/clock", new { offsetSeconds });
        response.EnsureSuccessStatusCode();
    }

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    // tests/run.sh installs it; this keeps a bare 'dotnet test' working too.
    private static Task EnsureInstalledAsync() => ToolInstaller.EnsureNpmPackagesAsync(RepositoryPaths.TestStore, "ali-oss");

    private sealed class StringWriterLog
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is not null && _lines.Count < 200)
            {
                _lines.Enqueue(line);
            }
        }

        public override string ToString() => string.Join(Environment.NewLine, _lines);
    }
}

/// <summary>One request as the store recorded it; <see cref="Url"/> is the raw request target exactly as received.</summary>
public sealed record RecordedRequest(
    long Seq, string Method, string Url, string Host, Dictionary<string, string> Headers, int? Status, string? Bucket, string? Key, string? Auth, string? ErrorCode)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}
