using System.Net;
using System.Text.Json;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Stores;

/// <summary>
/// Each credential source end to end: the gateway fetches temporary keys from a local fake of the cloud service (which
/// registers them with the test store), downloads through it succeed, and the store saw the temporary key id and its
/// token. Then rotation, expiry and the failures: a source down at start-up or later, answers that are not
/// credentials, a token file rotated between refreshes.
/// </summary>
public sealed class CredentialSourceEndToEndTests(TestStore store, CloudCredentialFakes fakes) : IClassFixture<CloudCredentialFakes>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, StoreKind> Sources() => new()
    {
        { "EcsRamRole", "ecs-metadata", StoreKind.OssV4 },
        { "Oidc", "alibaba-sts", StoreKind.OssV4 },
        { "AssumeRole", "alibaba-sts", StoreKind.OssV4 },
        { "CredentialsUri", "credentials-uri", StoreKind.OssV4 },
        { "Imds", "imds", StoreKind.S3V4 },
        { "Container", "container", StoreKind.S3V4 },
        { "WebIdentity", "aws-sts", StoreKind.S3V4 },
        { "AssumeRole", "aws-sts", StoreKind.S3V4 },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Downloads_are_signed_with_the_temporary_keys_of_each_source(string source, string kind, StoreKind storeKind)
    {
        CloudCredentialFake fake = await fakes.GetAsync(kind, store);
        using var files = new TemporaryDirectory();
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings(storeKind, source, fake, files.Path));
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);

        string key = await PutAsync(storeKind);
        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(storeKind, false, key), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (string keyId, bool hasToken) = await SignedWithAsync(key);
        IssuedKey issued = (await fake.IssuedAsync())[^1];
        Assert.Equal(issued.AccessKeyId, keyId);
        Assert.StartsWith("fake-sts-", keyId, StringComparison.Ordinal);
        Assert.True(hasToken, "The store saw no security token.");
        Assert.Contains(await fake.RequestsAsync(), r => r.IssuedAccessKeyId == keyId && r.Status == 200);
        // The fakes' secrets start with fake-secret-, their tokens with fake+token/; neither reaches a log line.
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("fake-secret-", StringComparison.Ordinal) || line.Contains("fake+token", StringComparison.Ordinal)
            || line.Contains("fake-oidc-token", StringComparison.Ordinal) || line.Contains(CloudCredentialFake.BaseAccessKeySecret, StringComparison.Ordinal)
            || line.Contains(CloudCredentialFake.ContainerToken, StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"fetched from {source} (127.0.0.1:{fake.Port})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_url_never_outlives_the_keys_that_signed_it()
    {
        CloudCredentialFake fake = await fakes.GetAsync("imds", store, ttlSeconds: 600);
        using var files = new TemporaryDirectory();
        Dictionary<string, string?> settings = Settings(StoreKind.S3V4, "Imds", fake, files.Path);
        settings["Gateway:Stores:s3:UrlLifetime"] = "01:00:00";
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);

        using HttpResponseMessage response = await gateway.Client.GetAsync(TestSites.PathFor(StoreKind.S3V4, true, await PutAsync(StoreKind.S3V4)), Token);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        DateTimeOffset signed = DateTimeOffset.ParseExact(query["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        DateTimeOffset expires = signed.AddSeconds(long.Parse(query["X-Amz-Expires"].ToString(), System.Globalization.CultureInfo.InvariantCulture));
        IssuedKey issued = (await fake.IssuedAsync())[^1];
        Assert.Equal(issued.AccessKeyId, query["X-Amz-Credential"].ToString().Split('/')[0]);
        Assert.InRange(expires, signed.AddSeconds(590), DateTimeOffset.Parse(issued.Expiration, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Keys_are_refreshed_ahead_of_expiry_new_urls_use_the_new_key_and_a_failing_refresh_is_degraded()
    {
        // Keys of 12 s with RefreshBefore 10 s: refreshed at half life, every 6 s.
        CloudCredentialFake fake = await fakes.GetAsync("ecs-metadata", store, ttlSeconds: 12);
        using var files = new TemporaryDirectory();
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings(StoreKind.OssV4, "EcsRamRole", fake, files.Path, refreshBefore: "00:00:10"));
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);
        string key = await PutAsync(StoreKind.OssV4);
        string path = TestSites.PathFor(StoreKind.OssV4, false, key);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gateway, path)).Status);
        string first = (await SignedWithAsync(key)).KeyId;
        Assert.Equal((await fake.IssuedAsync())[^1].AccessKeyId, first);
        await WaitUntilAsync(async () => (await fake.IssuedAsync())[^1].AccessKeyId != first, TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gateway, path)).Status);
        string second = (await SignedWithAsync(key)).KeyId;

        Assert.NotEqual(first, second);
        Assert.Equal((await fake.IssuedAsync())[^1].AccessKeyId, second);

        // The service goes down: the keys in force serve until they expire, and readiness says Degraded.
        await fake.SetModeAsync("unavailable");
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK, "Degraded");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gateway, path)).Status);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("Credentials for store oss4 from EcsRamRole (127.0.0.1:", StringComparison.Ordinal) && line.Contains("HTTP 503", StringComparison.Ordinal));

        // Once they expire, no URL signed with them is served: 503 and not ready.
        await WaitForReadinessAsync(gateway, HttpStatusCode.ServiceUnavailable);
        (HttpStatusCode status, string body, string? retryAfter) = await GetAsync(gateway, path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("have expired", body, StringComparison.Ordinal);
        Assert.Equal("5", retryAfter);
        await fake.SetModeAsync("ok");
    }

    [Fact]
    public async Task A_source_down_at_start_up_makes_the_gateway_unready_then_ready_once_it_answers()
    {
        CloudCredentialFake fake = await fakes.GetAsync("imds", store);
        await fake.SetModeAsync("unavailable");
        using var files = new TemporaryDirectory();
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings(StoreKind.S3V4, "Imds", fake, files.Path));
        string path = TestSites.PathFor(StoreKind.S3V4, false, await PutAsync(StoreKind.S3V4));

        await WaitUntilAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.Contains("could not be fetched", StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        (HttpStatusCode readyStatus, string readyBody) = await ProbeAsync(gateway, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.StartsWith("Unhealthy\ncredentials: store s3: credentials from Imds (127.0.0.1:", readyBody, StringComparison.Ordinal);
        Assert.Contains("are not available yet (last attempt: the metadata token request got HTTP 503)", readyBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ProbeAsync(gateway, "/healthz")).Status);
        (HttpStatusCode status, string body, string? retryAfter) = await GetAsync(gateway, path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("credentials for this store are not available yet", body, StringComparison.Ordinal);
        Assert.Equal("5", retryAfter);

        await fake.SetModeAsync("ok");
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK, "Healthy", TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(gateway, path)).Status);
        // One line for the failure however many retries, and one when it recovers; no stack trace.
        Assert.Single(gateway.Logs.Lines, line => line.Contains("could not be fetched", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("fetched from Imds", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("   at ", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string> RefusedAnswers() => new()
    {
        { "ecs-metadata", "status", "HTTP 500" },
        { "ecs-metadata", "malformed", "the answer is not a JSON object" },
        { "ecs-metadata", "no-keys", "the answer has no AccessKeyId" },
        { "ecs-metadata", "code-failure", "the answer's Code is 'Failure', not 'Success'" },
        { "ecs-metadata", "expired", "is in the past" },
        { "aws-sts", "malformed", "the answer is not XML" },
        { "aws-sts", "no-keys", "the answer has no AccessKeyId" },
        { "aws-sts", "status", "HTTP 500" },
    };

    [Theory]
    [MemberData(nameof(RefusedAnswers))]
    public async Task Answers_that_are_not_valid_credentials_are_refused(string kind, string mode, string reason)
    {
        CloudCredentialFake fake = await fakes.GetAsync(kind, store);
        await fake.SetModeAsync(mode, mode == "status" ? 500 : null);
        using var files = new TemporaryDirectory();
        (StoreKind storeKind, string source) = kind == "aws-sts" ? (StoreKind.S3V4, "WebIdentity") : (StoreKind.OssV4, "EcsRamRole");
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings(storeKind, source, fake, files.Path));

        await WaitUntilAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.Contains("could not be fetched", StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("could not be fetched: " + reason, StringComparison.Ordinal) || (line.Contains("could not be fetched", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ProbeAsync(gateway, "/readyz")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(gateway, TestSites.PathFor(storeKind, false, "never/fetched.bin"))).Status);
        await fake.SetModeAsync("ok");
    }

    [Fact]
    public async Task A_redirect_from_a_credential_endpoint_is_not_followed()
    {
        // A credentials URI that answers 302 to the real fake: the gateway must neither follow it nor take the keys there.
        CloudCredentialFake fake = await fakes.GetAsync("credentials-uri", store);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication redirector = builder.Build();
        redirector.MapGet("/{**path}", () => Microsoft.AspNetCore.Http.Results.Redirect(fake.Endpoint + "/credentials"));
        await redirector.StartAsync(Token);
        using var files = new TemporaryDirectory();
        Dictionary<string, string?> settings = Settings(StoreKind.OssV4, "CredentialsUri", fake, files.Path);
        settings["Gateway:Stores:oss4:Credentials:CredentialsUri"] = redirector.Urls.First() + "/credentials";
        await using GatewayHost gateway = await GatewayHost.StartAsync(settings);

        await WaitUntilAsync(() => Task.FromResult(gateway.Logs.Lines.Any(line => line.Contains("could not be fetched", StringComparison.Ordinal))), TimeSpan.FromSeconds(10));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains("could not be fetched: HTTP 302", StringComparison.Ordinal));
        Assert.Empty(await fake.RequestsAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ProbeAsync(gateway, "/readyz")).Status);
    }

    [Fact]
    public async Task The_oidc_token_file_is_read_again_at_every_refresh()
    {
        // Alibaba STS keys of 12 s with RefreshBefore 10 s: a refresh every 6 s.
        CloudCredentialFake fake = await fakes.GetAsync("alibaba-sts", store, ttlSeconds: 12);
        using var files = new TemporaryDirectory();
        await using GatewayHost gateway = await GatewayHost.StartAsync(Settings(StoreKind.OssV4, "Oidc", fake, files.Path, refreshBefore: "00:00:10"));
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);

        await File.WriteAllTextAsync(Path.Combine(files.Path, "token"), "fake-oidc-token-rotated\n", Token);
        await WaitUntilAsync(async () => (await fake.RequestsAsync()).Any(r => r.OidcToken == "fake-oidc-token-rotated"), TimeSpan.FromSeconds(15));

        IReadOnlyList<FakeRequest> requests = await fake.RequestsAsync();
        Assert.Equal("fake-oidc-token-1", requests[0].OidcToken);
        Assert.All(requests, r => Assert.Equal("AssumeRoleWithOIDC", r.Action));
    }

    [Fact]
    public async Task A_listing_cursor_works_on_another_replica_and_after_the_keys_rotated()
    {
        // Two replicas, each with its own temporary keys (pods with their own instance-role or STS session): the page
        // cursor one hands out must work on the other, and still after both rotated (12 s keys, refreshed every 6 s).
        CloudCredentialFake fake = await fakes.GetAsync("ecs-metadata", store, ttlSeconds: 12);
        using var files = new TemporaryDirectory();
        Dictionary<string, string?> settings = Settings(StoreKind.OssV4, "EcsRamRole", fake, files.Path, refreshBefore: "00:00:10");
        settings["Gateway:Sites:proxy-OssV4:Listing"] = "On";
        settings["Gateway:Sites:proxy-OssV4:ListingPageSize"] = "2";
        await using GatewayHost first = await GatewayHost.StartAsync(settings);
        await using GatewayHost second = await GatewayHost.StartAsync(settings);
        await WaitForReadinessAsync(first, HttpStatusCode.OK);
        await WaitForReadinessAsync(second, HttpStatusCode.OK);
        string directory = $"credentials/{Guid.NewGuid():N}/";
        foreach (string name in new[] { "a.bin", "b.bin", "c.bin", "d.bin", "e.bin" })
        {
            await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), directory + name, new byte[1]);
        }

        string listing = TestSites.PathFor(StoreKind.OssV4, false, directory) + "?format=json";
        (HttpStatusCode status, string body, _) = await GetAsync(first, listing);
        Assert.Equal(HttpStatusCode.OK, status);
        string cursor = JsonDocument.Parse(body).RootElement.GetProperty("next").GetString()!;
        string secondPage = listing + "&page=" + Uri.EscapeDataString(cursor);

        (status, body, _) = await GetAsync(second, secondPage);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["c.bin", "d.bin"], Names(body));

        int issued = (await fake.IssuedAsync()).Count;
        await WaitUntilAsync(async () => (await fake.IssuedAsync()).Count >= issued + 2, TimeSpan.FromSeconds(15));
        (status, body, _) = await GetAsync(first, secondPage);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["c.bin", "d.bin"], Names(body));

        static string[] Names(string json)
            => [.. JsonDocument.Parse(json).RootElement.GetProperty("entries").EnumerateArray().Select(entry => entry.GetProperty("name").GetString()!)];
    }

    /// <summary>The test settings with <paramref name="storeKind"/>'s store taking its keys from <paramref name="source"/> at <paramref name="fake"/>.</summary>
    private Dictionary<string, string?> Settings(StoreKind storeKind, string source, CloudCredentialFake fake, string directory, string? refreshBefore = null)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        string name = storeKind == StoreKind.OssV4 ? "oss4" : "s3";
        string path = $"Gateway:Stores:{name}:";
        settings.Remove(path + "AccessKeyId");
        settings.Remove(path + "AccessKeySecret");
        settings[path + "Credentials:Source"] = source;
        if (refreshBefore is not null)
        {
            settings[path + "Credentials:RefreshBefore"] = refreshBefore;
        }
        string tokenFile = Path.Combine(directory, "token");
        File.WriteAllText(tokenFile, "fake-oidc-token-1\n");
        bool alibaba = storeKind == StoreKind.OssV4;
        switch (source)
        {
            case "EcsRamRole" or "Imds":
                settings[path + "Credentials:MetadataEndpoint"] = fake.Endpoint;
                break;
            case "CredentialsUri":
                settings[path + "Credentials:CredentialsUri"] = fake.Endpoint + "/credentials";
                break;
            case "Container":
                settings[path + "Credentials:CredentialsUri"] = fake.Endpoint + "/v2/credentials/fake-task";
                settings["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = CloudCredentialFake.ContainerToken;
                break;
            case "Oidc":
                settings[path + "Credentials:OidcProviderArn"] = CloudCredentialFake.AlibabaOidcProviderArn;
                goto case "WebIdentity";
            case "WebIdentity":
                settings[path + "Credentials:RoleArn"] = alibaba ? CloudCredentialFake.AlibabaRoleArn : CloudCredentialFake.AwsRoleArn;
                settings[path + "Credentials:OidcTokenFile"] = tokenFile;
                settings[path + "Credentials:StsEndpoint"] = fake.Endpoint;
                break;
            case "AssumeRole":
                settings[path + "AccessKeyId"] = CloudCredentialFake.BaseAccessKeyId;
                settings[path + "AccessKeySecret"] = CloudCredentialFake.BaseAccessKeySecret;
                settings[path + "Credentials:RoleArn"] = alibaba ? CloudCredentialFake.AlibabaRoleArn : CloudCredentialFake.AwsRoleArn;
                settings[path + "Credentials:ExternalId"] = "fake-external-id";
                settings[path + "Credentials:StsEndpoint"] = fake.Endpoint;
                break;
        }

        return settings;
    }

    private async Task<string> PutAsync(StoreKind kind)
    {
        string key = $"credentials/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(kind), key, new byte[100]);
        return key;
    }

    /// <summary>The key id and token presence of the last request the store received for <paramref name="key"/>.</summary>
    private async Task<(string KeyId, bool HasToken)> SignedWithAsync(string key)
    {
        RecordedRequest last = (await store.RequestsForAsync(key))[^1];
        JsonElement keyId = last.Other!["accessKeyId"];
        return (keyId.GetString()!, last.Other["hasSecurityToken"].GetBoolean());
    }

    private static async Task<(HttpStatusCode Status, string Body, string? RetryAfter)> GetAsync(GatewayHost gateway, string path)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(path, Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Token), response.Headers.RetryAfter?.ToString());
    }

    private static async Task<(HttpStatusCode Status, string Body)> ProbeAsync(GatewayHost gateway, string path)
    {
        using HttpResponseMessage response = await gateway.Client.GetAsync(path, Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Token));
    }

    private static async Task WaitForReadinessAsync(GatewayHost gateway, HttpStatusCode status, string? bodyStart = null, TimeSpan? timeout = null)
    {
        (HttpStatusCode Status, string Body) last = default;
        await WaitUntilAsync(
            async () =>
            {
                last = await ProbeAsync(gateway, "/readyz");
                return last.Status == status && (bodyStart is null || last.Body.StartsWith(bodyStart, StringComparison.Ordinal));
            },
            timeout ?? TimeSpan.FromSeconds(15),
            () => $"readiness stayed {(int)last.Status} {last.Body}");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? describe = null)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, describe?.Invoke() ?? $"The condition did not hold within {timeout}.");
            await Task.Delay(100, Token);
        }
    }
}
