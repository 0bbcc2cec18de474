using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// One local fake of a cloud credential service (tests/TestStore/fakes/cloud.js, Node) on 127.0.0.1: ECS metadata,
/// Alibaba STS, a credentials URI, IMDSv2, the container endpoint or AWS STS. Started like the test store (one line
/// <c>{"port":N}</c> on stdout, exits when stdin closes) with <c>--store</c> pointing at the test store, so every
/// key set it hands out is registered there first: the store accepts it at once and refuses it after its expiry.
/// </summary>
public sealed class CloudCredentialFake : IAsyncDisposable
{
    /// <summary>The one role the fakes know, and the base keys their signed AssumeRole accepts (fake values).</summary>
    public const string RoleName = "fake-role";
    public const string AlibabaRoleArn = "acs:ram::1234567890123456:role/fake-role";
    public const string AlibabaOidcProviderArn = "acs:ram::1234567890123456:oidc-provider/fake-ack";
    public const string AwsRoleArn = "arn:aws:iam::123456789012:role/fake-role";
    public const string BaseAccessKeyId = "fake-base-key-id-0001";
    public const string BaseAccessKeySecret = "fake-base/secret+0001=";
    public const string ContainerToken = "fake-container-authorization-token";

    private static readonly JsonSerializerOptions WithoutNulls = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Process _process;

    private CloudCredentialFake(string kind, Process process, int port)
    {
        Kind = kind;
        _process = process;
        Port = port;
        Admin = new HttpClient { BaseAddress = new Uri(Endpoint), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Kind { get; }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public HttpClient Admin { get; }

    /// <summary>Starts a fake of <paramref name="kind"/> whose keys the test store accepts.</summary>
    /// <param name="ttlSeconds">Life of the keys it issues.</param>
    public static async Task<CloudCredentialFake> StartAsync(string kind, TestStore store, int ttlSeconds = 3600)
    {
        await ToolInstaller.EnsureNpmPackagesAsync(RepositoryPaths.TestStore, "@smithy/signature-v4");
        string config = JsonSerializer.Serialize(new
        {
            ttlSeconds,
            roleName = RoleName,
            baseCredentials = new[] { new { accessKeyId = BaseAccessKeyId, accessKeySecret = BaseAccessKeySecret } },
            authorizationToken = kind == "container" ? ContainerToken : null,
        }, WithoutNulls);
        var startInfo = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                Path.Combine(RepositoryPaths.TestStore, "fakes", "cloud.js"), "--kind", kind, "--port", "0", "--store", store.Endpoint, "--config-json", config,
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start node for the {kind} fake.");
        var stderr = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                if (e.Data is not null && stderr.Count < 200)
                {
                    stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            lock (stderr)
            {
                throw new InvalidOperationException($"The {kind} fake exited before listening: {string.Join(Environment.NewLine, stderr)}");
            }
        }

        return new CloudCredentialFake(kind, process, JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32());
    }

    /// <summary><c>ok</c>, <c>unavailable</c>, <c>status</c>, <c>malformed</c>, <c>no-keys</c>, <c>code-failure</c>, <c>expired</c>, <c>reset</c>.</summary>
    public async Task SetModeAsync(string mode, int? status = null)
    {
        using HttpResponseMessage response = await Admin.PutAsJsonAsync("/__fake/mode", new { mode, status });
        response.EnsureSuccessStatusCode();
    }

    public async Task SetTtlAsync(int ttlSeconds)
    {
        using HttpResponseMessage response = await Admin.PutAsJsonAsync("/__fake/ttl", new { ttlSeconds });
        response.EnsureSuccessStatusCode();
    }

    public async Task<IReadOnlyList<FakeRequest>> RequestsAsync()
        => await Admin.GetFromJsonAsync<List<FakeRequest>>("/__fake/requests", TestStore.JsonOptions) ?? [];

    public async Task ClearRequestsAsync()
    {
        using HttpResponseMessage response = await Admin.DeleteAsync("/__fake/requests");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every key set issued so far, oldest first (ids and expiries, no secrets).</summary>
    public async Task<IReadOnlyList<IssuedKey>> IssuedAsync()
        => await Admin.GetFromJsonAsync<List<IssuedKey>>("/__fake/issued", TestStore.JsonOptions) ?? [];

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!await Task.Run(() => _process.WaitForExit(5000)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    public override string ToString() => $"{Kind} fake on {Endpoint}";
}

/// <summary>A request the fake recorded (test tokens as received; never a secret).</summary>
public sealed record FakeRequest(long Seq, string Method, string Path, string? Action, Dictionary<string, JsonElement>? Headers, string? OidcToken, string? WebIdentityToken, string? IssuedAccessKeyId, int? Status)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>A key set the fake issued.</summary>
public sealed record IssuedKey(string AccessKeyId, string Expiration);
