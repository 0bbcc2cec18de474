using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PresignGateway.Diagnostics;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// A store's 4xx, end to end: the URL is evicted and signed again only when the store's error code says the
/// signature, key, token or time was refused. A plain AccessDenied (S3's answer for a missing key when the role
/// lacks ListBucket) is one upstream call and a 403, and a refusal the client's own headers caused is the client's.
/// </summary>
public sealed class StorageRefusalTests(TestStore store) : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHost.StartAsync(TestSites.Settings(store));

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<StoreKind, string, string, string?> Denials() => new()
    {
        // S3 hides a missing key behind AccessDenied when the role lacks s3:ListBucket.
        { StoreKind.S3V4, "AccessDenied", "Access Denied", null },
        // OSS: a bucket policy, with its fine-grained code for authorisation (0003).
        { StoreKind.OssV4, "AccessDenied", "Access denied by bucket policy.", "0003-00000201" },
        { StoreKind.OssV1, "AccessDenied", "You have no right to access this object because of bucket acl.", "0003-00000001" },
        // Not about credentials either: an archived object that was never restored.
        { StoreKind.S3V4, "InvalidObjectState", "The operation is not valid for the object's storage class", null },
    };

    [Theory]
    [MemberData(nameof(Denials))]
    public async Task Denied_access_is_one_upstream_call_and_a_403_without_an_eviction(StoreKind kind, string code, string message, string? ec)
    {
        (string key, _) = await UploadAsync(kind);
        await store.AddErrorFaultAsync(key, 403, code, message, ec, times: 1);
        using MetricCollector<long> rejected = RejectedUrls();
        using var requests = new MetricCollector<long>(_gateway.Services.GetRequiredService<IMeterFactory>(), GatewayMetrics.MeterName, "presign_gateway.requests");

        using HttpResponseMessage response = await _gateway.Client.GetAsync(TestSites.PathFor(kind, false, key), Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // Recorded when the handler returns, which may be just after the client has the answer.
        await requests.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal("storage_denied", Assert.Single(requests.GetMeasurementSnapshot()).Tags["outcome"]);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        string body = await response.Content.ReadAsStringAsync(Token);
        Assert.DoesNotContain(code, body, StringComparison.Ordinal);
        Assert.DoesNotContain(message, body, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("x-oss-ec"));
        Assert.Equal([403], (await store.RequestsForAsync(key)).Select(r => r.Status));
        Assert.Empty(rejected.GetMeasurementSnapshot());
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.Contains("evicted it and signed again", StringComparison.Ordinal));
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) || line.StartsWith("Error ", StringComparison.Ordinal));

        // The URL was not evicted: the next download reuses it, and the store (no longer refusing) serves it.
        string first = (await store.RequestsForAsync(key))[0].Url;
        using HttpResponseMessage next = await _gateway.Client.GetAsync(TestSites.PathFor(kind, false, key), Token);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(first, (await store.RequestsForAsync(key))[^1].Url);
    }

    [Fact]
    public async Task Oss_head_refusal_is_read_from_x_oss_ec_denied_once_and_authentication_retried()
    {
        (string denied, _) = await UploadAsync(StoreKind.OssV4);
        (string expired, _) = await UploadAsync(StoreKind.OssV4);
        await store.AddErrorFaultAsync(denied, 403, "AccessDenied", "Access denied by bucket policy.", "0003-00000201", times: 5);
        await store.AddErrorFaultAsync(expired, 403, "AccessDenied", "Request has expired.", "0002-00000069", times: 1);

        using HttpResponseMessage deniedHead = await HeadAsync(StoreKind.OssV4, denied);
        using HttpResponseMessage expiredHead = await HeadAsync(StoreKind.OssV4, expired);

        Assert.Equal(HttpStatusCode.Forbidden, deniedHead.StatusCode);
        Assert.Equal([403], (await store.RequestsForAsync(denied)).Select(r => r.Status));
        Assert.Equal(HttpStatusCode.OK, expiredHead.StatusCode);
        Assert.Equal([403, 200], (await store.RequestsForAsync(expired)).Select(r => r.Status));
    }

    [Fact]
    public async Task S3_head_refusal_without_a_code_is_retried_once_as_before_then_a_403()
    {
        (string key, _) = await UploadAsync(StoreKind.S3V4);
        await store.AddErrorFaultAsync(key, 403, "AccessDenied", "Access Denied", times: 5);
        using MetricCollector<long> rejected = RejectedUrls();

        using HttpResponseMessage response = await HeadAsync(StoreKind.S3V4, key);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal([403, 403], (await store.RequestsForAsync(key)).Select(r => r.Status));
        Assert.Single(rejected.GetMeasurementSnapshot());
    }

    public static TheoryData<StoreKind, string, string, string?> CredentialRefusals() => new()
    {
        { StoreKind.S3V4, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", null },
        { StoreKind.S3V4, "AccessDenied", "Request has expired", null },
        { StoreKind.S3V4, "ExpiredToken", "The provided token has expired.", null },
        { StoreKind.S3V4, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", null },
        { StoreKind.S3V4, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", null },
        { StoreKind.OssV4, "AccessDenied", "Request has expired.", "0002-00000069" },
        { StoreKind.OssV4, "SecurityTokenExpired", "The security token you provided has expired.", null },
        { StoreKind.OssV1, "InvalidSecurityToken", "The security token you provided is invalid.", "0002-00000008" },
        { StoreKind.OssV1, "InvalidToken", "The provided token is malformed or otherwise invalid.", null },
    };

    [Theory]
    [MemberData(nameof(CredentialRefusals))]
    public async Task Refused_credentials_evict_the_url_and_retry_once_with_a_fresh_one(StoreKind kind, string code, string message, string? ec)
    {
        (string key, byte[] content) = await UploadAsync(kind);
        using (HttpResponseMessage warm = await _gateway.Client.GetAsync(TestSites.PathFor(kind, false, key), Token))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await store.AddErrorFaultAsync(key, 403, code, message, ec, times: 1);
        using MetricCollector<long> rejected = RejectedUrls();

        using HttpResponseMessage response = await _gateway.Client.GetAsync(TestSites.PathFor(kind, false, key), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(Token));
        IReadOnlyList<RecordedRequest> received = await store.RequestsForAsync(key);
        Assert.Equal([200, 403, 200], received.Select(r => r.Status));
        Assert.Single(rejected.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Credentials_refused_twice_are_a_502_that_names_the_code_in_the_log_only()
    {
        (string key, _) = await UploadAsync(StoreKind.S3V4);
        await store.AddErrorFaultAsync(key, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", times: 2);

        using HttpResponseMessage response = await _gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, key), Token);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("InvalidAccessKeyId", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal([403, 403], (await store.RequestsForAsync(key)).Select(r => r.Status));
        Assert.Contains(_gateway.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("code InvalidAccessKeyId", StringComparison.Ordinal));
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.Contains("does not exist in our records", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StoreKind.S3V4)]
    [InlineData(StoreKind.OssV4)]
    public async Task A_range_too_large_for_the_store_is_the_clients_431_not_a_502(StoreKind kind)
    {
        (string key, _) = await UploadAsync(kind);
        // 2,000 ranges: about 20 KB, within Kestrel's 32 KB of headers but over the store's 16 KB (Node's default).
        var range = new StringBuilder("bytes=0-0");
        for (int i = 1; i < 2000; i++)
        {
            range.Append(',').Append(i * 10).Append('-').Append((i * 10) + 1);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, TestSites.PathFor(kind, false, key));
        request.Headers.TryAddWithoutValidation("Range", range.ToString());

        using HttpResponseMessage response = await _gateway.Client.SendAsync(request, Token);

        Assert.Equal((HttpStatusCode)431, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(_gateway.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) || line.StartsWith("Error ", StringComparison.Ordinal));
    }

    public static TheoryData<int, string, HttpStatusCode> BadRequests() => new()
    {
        // What the client chose (a version id, an image process) is the client's to fix.
        { 400, "InvalidArgument", HttpStatusCode.BadRequest },
        // S3's 400 for an oversized request head: only the client's headers make it so.
        { 400, "RequestHeaderSectionTooLarge", (HttpStatusCode)431 },
        // The signing parameters are the gateway's.
        { 400, "AuthorizationQueryParametersError", HttpStatusCode.BadGateway },
        { 401, "Unauthorized", HttpStatusCode.BadGateway },
        { 414, "UriTooLong", HttpStatusCode.RequestUriTooLong },
        { 409, "Conflict", HttpStatusCode.BadGateway },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Other_4xx_go_to_whoever_caused_them_without_a_retry(int status, string code, HttpStatusCode expected)
    {
        (string key, _) = await UploadAsync(StoreKind.S3V4);
        await store.AddErrorFaultAsync(key, status, code, "Something about the request.", times: 2);

        using HttpResponseMessage response = await _gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, false, key), Token);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal([status], (await store.RequestsForAsync(key)).Select(r => r.Status));
        Assert.DoesNotContain("Something about the request", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    private MetricCollector<long> RejectedUrls()
        => new(_gateway.Services.GetRequiredService<IMeterFactory>(), GatewayMetrics.MeterName, "presign_gateway.storage.rejected_urls");

    private async Task<HttpResponseMessage> HeadAsync(StoreKind kind, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, TestSites.PathFor(kind, false, key));
        return await _gateway.Client.SendAsync(request, Token);
    }

    private async Task<(string Key, byte[] Content)> UploadAsync(StoreKind kind)
    {
        string key = $"refusal/{Guid.NewGuid():N}/file.bin";
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        await store.PutObjectAsync(TestSites.Bucket(kind), key, content);
        return (key, content);
    }
}
