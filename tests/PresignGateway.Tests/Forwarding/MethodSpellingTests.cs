using System.Security.Cryptography;
using System.Text;
using PresignGateway.Tests.Hardening;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// HTTP methods are case-sensitive (RFC 9110 section 9.1): only exactly <c>GET</c> and <c>HEAD</c> are served. Any
/// other spelling is a different method to Kestrel, so serving it as HEAD would leave a body it expects unwritten.
/// </summary>
public sealed class MethodSpellingTests(TestStore store)
{
    [Fact]
    public async Task Only_exact_GET_and_HEAD_are_served_and_every_other_spelling_gets_405_without_an_error_log()
    {
        await using GatewayHost gateway = await GatewayHost.StartAsync(TestSites.Settings(store));
        string key = $"methods/{Guid.NewGuid():N}/file.bin";
        byte[] content = RandomNumberGenerator.GetBytes(300);
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.S3V4), key, content);
        string path = TestSites.PathFor(StoreKind.S3V4, false, key);
        using var connection = await RawHttpConnection.OpenAsync(gateway.BaseAddress, TestContext.Current.CancellationToken);

        RawResponse get = await SendAsync(connection, gateway, "GET", path);
        RawResponse head = await SendAsync(connection, gateway, "HEAD", path);
        Assert.Equal(200, get.Status);
        Assert.Equal(content, get.Body);
        Assert.Equal(200, head.Status);
        Assert.Equal("300", head.Header("Content-Length"));

        foreach (string method in new[] { "head", "Head", "hEAD", "get", "Get", "gEt", "GEt", "POST", "OPTIONS" })
        {
            RawResponse refused = await SendAsync(connection, gateway, method, path);

            Assert.True(405 == refused.Status, $"{method}: {refused.Status}\n{refused.HeaderText}");
            Assert.Equal("GET, HEAD", refused.Header("Allow"));
            Assert.Contains("\"status\":405", Encoding.UTF8.GetString(refused.Body), StringComparison.Ordinal);
        }

        // Only the two real downloads reached the store; the connection stayed usable throughout.
        Assert.Equal(2, (await store.RequestsForAsync(key)).Count);
        Assert.True(connection.IsReusable);
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal));
    }

    private static async Task<RawResponse> SendAsync(RawHttpConnection connection, GatewayHost gateway, string method, string path)
    {
        byte[] request = Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{gateway.BaseAddress.Port}\r\n\r\n");
        // Only a request Kestrel knows as HEAD gets an answer without a body.
        return await connection.SendAsync(request, method == "HEAD", TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException($"{method}: the gateway closed the connection without an answer.");
    }
}
