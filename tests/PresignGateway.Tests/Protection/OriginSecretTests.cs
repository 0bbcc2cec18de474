using System.Net;
using System.Security.Cryptography;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Protection;

/// <summary>
/// A site behind a CDN that only the CDN may reach: requests without one of the origin secret's values get 403, both
/// rotation values are served, the header never reaches the store nor a log, and a site whose only protection is the
/// origin secret may send public Cache-Control.
/// </summary>
public sealed class OriginSecretTests(TestStore store)
{
    private const string Header = "X-Origin-Secret";
    private const string OldValue = "old-origin-secret-0123456789abcdef";
    private const string NewValue = "new-origin-secret-fedcba9876543210";

    private const string Absent = "(absent)";

    public static TheoryData<string> RefusedValues() => new()
    {
        Absent,
        "",
        "wrong-origin-secret-0123456789abcd",
        OldValue[..^1],
        OldValue + "x",
        OldValue.ToUpperInvariant(),
    };

    [Theory]
    [MemberData(nameof(RefusedValues))]
    public async Task A_request_without_a_matching_value_gets_403(string value)
    {
        await using GatewayHost gateway = await StartAsync(Secret());
        string key = await UploadAsync();

        using HttpResponseMessage response = await SendAsync(gateway, "/cdn/" + key, value == Absent ? null : value);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("no-store", response.Headers.NonValidated["Cache-Control"].ToString());
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(OldValue, body, StringComparison.Ordinal);
        Assert.DoesNotContain(Header, body, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await store.RequestsForAsync(key));
    }

    [Fact]
    public async Task The_header_given_twice_is_refused_even_with_a_right_value()
    {
        await using GatewayHost gateway = await StartAsync(Secret());
        string key = await UploadAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/cdn/" + key);
        request.Headers.TryAddWithoutValidation(Header, [OldValue, "other"]);

        using HttpResponseMessage response = await gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Either_rotation_value_is_served_and_the_store_never_sees_the_header()
    {
        await using GatewayHost gateway = await StartAsync(Secret());
        string key = await UploadAsync();

        using HttpResponseMessage withOld = await SendAsync(gateway, "/cdn/" + key, OldValue);
        using HttpResponseMessage withNew = await SendAsync(gateway, "/cdn/" + key, NewValue);
        using var head = new HttpRequestMessage(HttpMethod.Head, "/cdn/" + key);
        head.Headers.TryAddWithoutValidation(Header.ToLowerInvariant(), NewValue);
        using HttpResponseMessage headResponse = await gateway.Client.SendAsync(head, TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], [withOld.StatusCode, withNew.StatusCode, headResponse.StatusCode]);
        Assert.Equal(100, (await withNew.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length);
        IReadOnlyList<RecordedRequest> received = await store.RequestsForAsync(key);
        Assert.NotEmpty(received);
        // The store records this header when it arrives (tests/TestStore): it must never have.
        Assert.All(received, r => Assert.False(r.Headers.ContainsKey("x-origin-secret"), "the store received the origin secret"));
        Assert.All(received, r => Assert.DoesNotContain(OldValue, r.Url, StringComparison.Ordinal));
        Assert.All(gateway.Logs.Lines, line => Assert.DoesNotContain("origin-secret-", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_site_whose_only_protection_is_the_origin_secret_may_send_public()
    {
        Dictionary<string, string?> site = Secret();
        site["CacheControl"] = "public, max-age=86400";
        await using GatewayHost gateway = await StartAsync(site);
        string key = await UploadAsync();

        using HttpResponseMessage response = await SendAsync(gateway, "/cdn/" + key, OldValue);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=86400", response.Headers.NonValidated["Cache-Control"].ToString());
    }

    private static Task<HttpResponseMessage> SendAsync(GatewayHost gateway, string path, string? value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (value is not null)
        {
            request.Headers.TryAddWithoutValidation(Header, value);
        }

        return gateway.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static Dictionary<string, string?> Secret() => new()
    {
        ["Protection:OriginSecret:Header"] = Header,
        ["Protection:OriginSecret:Values:0"] = OldValue,
        ["Protection:OriginSecret:Values:1"] = NewValue,
    };

    private async Task<GatewayHost> StartAsync(Dictionary<string, string?> site)
    {
        Dictionary<string, string?> settings = TestSites.Settings(store);
        settings["Gateway:Sites:cdn:Hosts:0"] = "127.0.0.1";
        settings["Gateway:Sites:cdn:PathPrefix"] = "/cdn";
        settings["Gateway:Sites:cdn:Store"] = "oss4";
        foreach ((string name, string? value) in site)
        {
            settings["Gateway:Sites:cdn:" + name] = value;
        }

        return await GatewayHost.StartAsync(settings);
    }

    private async Task<string> UploadAsync()
    {
        string key = $"cdn/{Guid.NewGuid():N}/file.bin";
        await store.PutObjectAsync(TestSites.Bucket(StoreKind.OssV4), key, RandomNumberGenerator.GetBytes(100));
        return key;
    }
}
