using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PresignGateway.Diagnostics;
using PresignGateway.Signing;
using PresignGateway.Stores;
using PresignGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PresignGateway.Tests.Presigning;

/// <summary>
/// Whoever can write to Redis can write anything there. Poisoned values, made by editing the entry a real gateway
/// wrote (so only our payload is touched, never HybridCache's frame around it), are never used: the real object is
/// served or redirected to, the attacker's server is never contacted, the value is counted and logged (without its
/// content), replaced in Redis, and not kept in memory.
/// </summary>
public sealed class SharedValueTrustTests(TestStore store, RedisServer redis) : IClassFixture<RedisServer>
{
    public enum Poison
    {
        /// <summary>The store's host:port swapped for a listener's: SSRF with the body read back, or an open redirect.</summary>
        AttackerHost,

        /// <summary>The store's host:port swapped for the cloud metadata address.</summary>
        MetadataHost,

        /// <summary>An expiry in 2100, to pin the value in memory until a restart.</summary>
        FarFutureExpiry,

        /// <summary>The right shape, with a MAC made with another secret.</summary>
        MacFromAnotherSecret,

        /// <summary>The value of another object's entry, MAC and all.</summary>
        CopiedFromAnotherObject,

        /// <summary>The GET entry's value copied into the HEAD entry of the same object: same URL shape, other key.</summary>
        CopiedFromAnotherMethod,

        /// <summary>The payload replaced by random bytes inside an intact frame.</summary>
        GarbagePayload,

        /// <summary>The whole entry replaced by random bytes: HybridCache drops it before it reaches us.</summary>
        GarbageEntry,
    }

    public static TheoryData<Poison, bool> Cases()
    {
        var cases = new TheoryData<Poison, bool>();
        foreach (Poison poison in Enum.GetValues<Poison>())
        {
            cases.Add(poison, false);
            cases.Add(poison, true);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Poisoned_shared_value_is_never_used_and_is_replaced(Poison poison, bool redirect)
    {
        CancellationToken token = TestContext.Current.CancellationToken;
        using var attacker = new ListenerThatCounts();
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        IDatabase database = connection.GetDatabase();
        IServer server = connection.GetServer(redis.ConnectionString);
        bool head = poison == Poison.CopiedFromAnotherMethod;

        string folder = $"trust/{Guid.NewGuid():N}/";
        string victimKey = folder + "a.bin", otherKey = folder + "b.bin";
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), victimKey, content);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), otherKey, RandomNumberGenerator.GetBytes(1000));

        // A real gateway writes the real entries; each request adds one Redis key.
        string entry, source;
        await using (GatewayHost writer = await GatewayHost.StartAsync(WithRedis()))
        {
            entry = await NewEntryAsync(server, () => SendAsync(writer, HttpMethod.Get, redirect, victimKey, token));
            source = poison switch
            {
                Poison.CopiedFromAnotherObject => await NewEntryAsync(server, () => SendAsync(writer, HttpMethod.Get, redirect, otherKey, token)),
                Poison.CopiedFromAnotherMethod => await NewEntryAsync(server, () => SendAsync(writer, HttpMethod.Head, redirect, victimKey, token)),
                _ => entry,
            };
        }

        if (head)
        {
            // Poison the HEAD entry with the GET entry's value.
            (entry, source) = (source, entry);
        }

        byte[] frame = (byte[])(await database.HashGetAsync(entry, "data"))!;
        byte[] poisoned = Poisoned(poison, frame, (byte[])(await database.HashGetAsync(source, "data"))!, attacker.Port, entry);
        Assert.Equal(frame.Length, poisoned.Length);
        Assert.NotEqual(frame, poisoned);
        await database.HashSetAsync(entry, "data", poisoned);

        await using GatewayHost victim = await GatewayHost.StartAsync(WithRedis());
        using var rejected = new MetricCollector<long>(victim.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "presign_gateway.cache.rejected_shared_values");
        HttpMethod method = head ? HttpMethod.Head : HttpMethod.Get;

        string first = await AssertServedFromTheStoreAsync(victim, method, redirect, victimKey, content, token);
        string second = await AssertServedFromTheStoreAsync(victim, method, redirect, victimKey, content, token);

        Assert.Equal(0, attacker.Connections);
        string? reason = ExpectedReason(poison);
        IReadOnlyList<CollectedMeasurement<long>> counted = rejected.GetMeasurementSnapshot();
        if (reason is null)
        {
            Assert.Empty(counted);
        }
        else
        {
            CollectedMeasurement<long> measurement = Assert.Single(counted);
            Assert.Equal("s3", measurement.Tags["store"]);
            Assert.Equal(reason, measurement.Tags["reason"]);
            string warning = Assert.Single(victim.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("[60]", StringComparison.Ordinal));
            Assert.Contains(reason, warning, StringComparison.Ordinal);
            foreach (string secret in new[] { "http", "127.0.0.1", "169.254", "presign:", entry, "X-Amz", "Signature", victimKey, "a.bin" })
            {
                Assert.DoesNotContain(secret, warning, StringComparison.OrdinalIgnoreCase);
            }
        }

        if (redirect)
        {
            // Served from memory the second time: the fresh URL, not the poisoned one.
            Assert.Equal(first, second);
        }

        // Redis holds a good value again: a third gateway uses it without complaint.
        byte[] replaced = (byte[])(await database.HashGetAsync(entry, "data"))!;
        Assert.NotEqual(poisoned, replaced);
        await using GatewayHost third = await GatewayHost.StartAsync(WithRedis());
        using var thirdRejected = new MetricCollector<long>(third.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "presign_gateway.cache.rejected_shared_values");
        string fromThird = await AssertServedFromTheStoreAsync(third, method, redirect, victimKey, content, token);
        Assert.Empty(thirdRejected.GetMeasurementSnapshot());
        if (redirect)
        {
            Assert.Equal(first, fromThird);
        }

        Assert.Equal(0, attacker.Connections);
    }

    [Fact]
    public async Task Values_are_framed_json_with_a_mac_under_the_v2_prefix()
    {
        CancellationToken token = TestContext.Current.CancellationToken;
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        IServer server = connection.GetServer(redis.ConnectionString);
        string key = $"trust/{Guid.NewGuid():N}/layout.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), key, RandomNumberGenerator.GetBytes(10));
        await using GatewayHost gateway = await GatewayHost.StartAsync(WithRedis());

        string entry = await NewEntryAsync(server, () => SendAsync(gateway, HttpMethod.Get, true, key, token));
        string payload = PayloadText((byte[])(await connection.GetDatabase().HashGetAsync(entry, "data"))!);

        Assert.StartsWith("presign-gateway:presign:v2:", entry, StringComparison.Ordinal);
        Assert.Matches("""^\{"url":"http://127\.0\.0\.1:\d+/s3-bucket/trust/[0-9a-f]+/layout\.bin\?[^"]+","expiresAt":\d{10},"mac":"[A-Za-z0-9+/]{43}="\}$""", payload);
    }

    private static string? ExpectedReason(Poison poison) => poison switch
    {
        Poison.AttackerHost or Poison.MetadataHost or Poison.CopiedFromAnotherObject => "url",
        Poison.FarFutureExpiry => "expiry",
        Poison.MacFromAnotherSecret or Poison.CopiedFromAnotherMethod => "mac",
        Poison.GarbagePayload => "malformed",
        _ => null,
    };

    private byte[] Poisoned(Poison poison, byte[] frame, byte[] sourceFrame, int attackerPort, string redisKey)
    {
        string storeAuthority = new Uri(store.Endpoint).Authority;
        return poison switch
        {
            Poison.AttackerHost => Replace(frame, storeAuthority, $"127.0.0.1:{attackerPort}"),
            Poison.MetadataHost => Replace(frame, storeAuthority, "169.254.169.254"),
            Poison.FarFutureExpiry => ReplacePayload(frame, payload => System.Text.RegularExpressions.Regex.Replace(payload, "\"expiresAt\":\\d{10}", "\"expiresAt\":4102444800")),
            Poison.MacFromAnotherSecret => ReplacePayload(frame, payload => WithMacFromAnotherSecret(payload, redisKey)),
            Poison.CopiedFromAnotherObject or Poison.CopiedFromAnotherMethod => ReplacePayload(frame, _ => PayloadText(sourceFrame)),
            Poison.GarbagePayload => ReplacePayload(frame, payload => Convert.ToHexString(RandomNumberGenerator.GetBytes(payload.Length))[..payload.Length]),
            _ => RandomNumberGenerator.GetBytes(frame.Length),
        };
    }

    /// <summary>The same URL and expiry, authenticated as a gateway with another secret for the same store would.</summary>
    private static string WithMacFromAnotherSecret(string payload, string redisKey)
    {
        using var json = System.Text.Json.JsonDocument.Parse(payload);
        string url = json.RootElement.GetProperty("url").GetString()!;
        DateTimeOffset expiresAt = DateTimeOffset.FromUnixTimeSeconds(json.RootElement.GetProperty("expiresAt").GetInt64());
        string mac = json.RootElement.GetProperty("mac").GetString()!;
        var impostor = new Store(
            "s3", StoreProviders.Get(SigningScheme.S3V4), BucketLocation.Create("http://127.0.0.1:1", "us-east-1", "s3-bucket", AddressingStyle.Path),
            new StaticCredentialSource(new Credentials(TestStore.S3AccessKeyId, "AnotherSecret/EXAMPLE+key=="), "another secret"), TimeSpan.FromHours(1));
        byte[] forged = new byte[Store.SharedValueMacSize];
        Store.ComputeSharedValueMac(impostor.CredentialSource.Current, redisKey["presign-gateway:".Length..], url, expiresAt, forged);
        return payload.Replace(mac, Convert.ToBase64String(forged), StringComparison.Ordinal);
    }

    /// <summary>Our payload inside HybridCache's frame: from the first <c>{"</c> to the last <c>}</c> (the frame ends with two sentinel bytes).</summary>
    private static (int Start, int Length) PayloadRange(byte[] frame)
    {
        int start = frame.AsSpan().IndexOf("{\""u8);
        int end = frame.AsSpan().LastIndexOf((byte)'}');
        Assert.True(start > 0 && end == frame.Length - 3, "the entry does not end with a JSON payload and a two-byte sentinel");
        return (start, end + 1 - start);
    }

    private static string PayloadText(byte[] frame)
    {
        (int start, int length) = PayloadRange(frame);
        return Encoding.UTF8.GetString(frame, start, length);
    }

    private static byte[] ReplacePayload(byte[] frame, Func<string, string> change)
    {
        (int start, int length) = PayloadRange(frame);
        byte[] replacement = Encoding.UTF8.GetBytes(change(Encoding.UTF8.GetString(frame, start, length)));
        Assert.Equal(length, replacement.Length);
        byte[] copy = (byte[])frame.Clone();
        replacement.CopyTo(copy, start);
        return copy;
    }

    private static byte[] Replace(byte[] frame, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        string text = Encoding.Latin1.GetString(frame);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    private async Task<string> AssertServedFromTheStoreAsync(GatewayHost gateway, HttpMethod method, bool redirect, string key, byte[] content, CancellationToken token)
    {
        using HttpResponseMessage response = await SendAsync(gateway, method, redirect, key, token);
        if (!redirect)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content.Length, response.Content.Headers.ContentLength);
            if (method == HttpMethod.Get)
            {
                Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(token));
            }

            return string.Empty;
        }

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        string location = response.Headers.Location!.OriginalString;
        Assert.StartsWith($"{store.Endpoint}/s3-bucket/{key}?", location, StringComparison.Ordinal);
        using HttpClient client = GatewayHost.CreateClient();
        using var followed = new HttpRequestMessage(method, location);
        using HttpResponseMessage fromStore = await client.SendAsync(followed, token);
        Assert.Equal(HttpStatusCode.OK, fromStore.StatusCode);
        if (method == HttpMethod.Get)
        {
            Assert.Equal(content, await fromStore.Content.ReadAsByteArrayAsync(token));
        }

        return location;
    }

    private static async Task<HttpResponseMessage> SendAsync(GatewayHost gateway, HttpMethod method, bool redirect, string key, CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, TestSites.PathFor(StoreKind.S3V4, redirect, key));
        return await gateway.Client.SendAsync(request, token);
    }

    /// <summary>Runs a request and returns the one shared-tier key it added (the gateway writes to Redis in the background).</summary>
    private static async Task<string> NewEntryAsync(IServer server, Func<Task<HttpResponseMessage>> request)
    {
        HashSet<string> before = Keys(server);
        (await request()).Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            string[] added = [.. Keys(server).Except(before)];
            if (added.Length > 0)
            {
                return Assert.Single(added);
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static HashSet<string> Keys(IServer server)
        => [.. server.Keys(pattern: "presign-gateway:presign:*").Select(k => k.ToString())];

    private Dictionary<string, string?> WithRedis()
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        return settings;
    }

    /// <summary>A TCP listener on 127.0.0.1 that counts the connections it gets and answers none.</summary>
    private sealed class ListenerThatCounts : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public ListenerThatCounts()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
