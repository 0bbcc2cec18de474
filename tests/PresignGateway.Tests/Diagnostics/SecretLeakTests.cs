using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Diagnostics;

/// <summary>
/// A presigned URL is a bearer credential. Through successes, conditionals, every storage error and bad input, with
/// every log category at Trace: no log line, no proxied response header and no response body carries a secret, a
/// signature, a credential scope or a presigned URL.
/// </summary>
public sealed class SecretLeakTests(TestStore store)
{
    private static readonly string[] Markers =
    [
        "x-oss-signature", "X-Amz-Signature", "Signature=", "x-oss-credential", "X-Amz-Credential", "OSSAccessKeyId", "Proxying to",
        TestStore.OssAccessKeySecret, TestStore.S3AccessKeySecret, TestStore.OssAccessKeyId, TestStore.S3AccessKeyId,
    ];

    [Fact]
    public async Task Nothing_secret_reaches_logs_headers_or_bodies()
    {
        await using GatewayHost host = await GatewayHost.StartAsync(TestSites.Settings(store));
        var responses = new List<(string What, string Text)>();
        var signatures = new HashSet<string>(StringComparer.Ordinal);

        foreach (StoreKind kind in Enum.GetValues<StoreKind>())
        {
            string key = $"leaks/{Guid.NewGuid():N}/file.bin";
            await store.PutObjectAsync(TestSites.Bucket(kind), key, RandomNumberGenerator.GetBytes(5000));
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key));
            await Send(host, HttpMethod.Head, TestSites.PathFor(kind, false, key));
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key), request => request.Headers.Range = new(0, 9));
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key + ".missing"));
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key) + "?filename=%0d%0aSet-Cookie:x");
            await Send(host, HttpMethod.Post, TestSites.PathFor(kind, false, key));

            await store.AddFaultAsync(key, "reject-signature", times: 2);
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key), expect: HttpStatusCode.BadGateway);
            await store.AddFaultAsync(key, "status", status: 503, times: 1);
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key), expect: HttpStatusCode.BadGateway);
            await store.AddFaultAsync(key, "reset-before-headers", times: 1);
            await Send(host, HttpMethod.Get, TestSites.PathFor(kind, false, key), expect: HttpStatusCode.BadGateway);

            // Redirect mode hands the URL to the client by design: its body must still be empty and its logs clean.
            using HttpResponseMessage redirect = await host.Client.GetAsync(TestSites.PathFor(kind, true, key), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
            Assert.Empty(await redirect.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

            foreach (RecordedRequest request in await store.RequestsForAsync(key))
            {
                string? signature = SignatureOf(request.Url);
                if (signature is not null)
                {
                    signatures.Add(signature);
                }
            }
        }

        using HttpResponseMessage badPath = await RawClient.SendRawAsync(host.BaseAddress, "GET", "/oss4/a/../secret");
        responses.Add(("bad path", await badPath.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));

        Assert.NotEmpty(signatures);
        Assert.NotEmpty(host.Logs.Lines);
        string[] forbidden = [.. Markers, .. signatures];
        foreach (string line in host.Logs.Lines)
        {
            foreach (string marker in forbidden)
            {
                Assert.False(line.Contains(marker, StringComparison.OrdinalIgnoreCase), $"A log line contains '{marker}': {line}");
            }
        }

        foreach ((string what, string text) in responses)
        {
            foreach (string marker in forbidden)
            {
                Assert.False(text.Contains(marker, StringComparison.OrdinalIgnoreCase), $"The response to {what} contains '{marker}'.");
            }
        }

        async Task Send(GatewayHost gatewayHost, HttpMethod method, string path, Action<HttpRequestMessage>? configure = null, HttpStatusCode? expect = null)
        {
            using var request = new HttpRequestMessage(method, path);
            configure?.Invoke(request);
            using HttpResponseMessage response = await gatewayHost.Client.SendAsync(request, TestContext.Current.CancellationToken);
            if (expect is { } status)
            {
                Assert.Equal(status, response.StatusCode);
            }

            string headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(",", h.Value)));
            string body = method == HttpMethod.Get && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
                : "";
            responses.Add(($"{method} {path} ({(int)response.StatusCode})", headers + "\n" + body));
        }
    }

    private static string? SignatureOf(string rawTarget)
    {
        int query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return null;
        }

        foreach (string part in rawTarget[(query + 1)..].Split('&'))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals] is "x-oss-signature" or "X-Amz-Signature" or "Signature")
            {
                return Uri.UnescapeDataString(part[(equals + 1)..]);
            }
        }

        return null;
    }
}
