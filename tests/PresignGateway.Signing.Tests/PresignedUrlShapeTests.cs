namespace PresignGateway.Signing.Tests;

/// <summary>
/// The shape check that guards values read from a shared cache: every URL the presigners write passes it, in every
/// scheme, layout and with hostile keys and tokens; a URL changed in any part that matters fails it.
/// </summary>
public sealed class PresignedUrlShapeTests
{
    private static readonly DateTimeOffset SignTime = new(2024, 3, 15, 8, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static TheoryData<SigningScheme, AddressingStyle> Layouts() => HostileKeyTests.Layouts();

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_presigned_url_has_the_shape_and_its_object_url_is_what_precedes_the_query(SigningScheme scheme, AddressingStyle addressing)
    {
        BucketLocation location = Location(addressing);
        foreach (string key in HostileKeyTests.HostileKeys)
        {
            foreach (Credentials credentials in new[] { new Credentials("id-1/+=", "secret"), new Credentials("id-2", "secret", "token/+=x") })
            {
                foreach (QueryParameter[] query in Overrides())
                {
                    var request = new PresignRequest(PresignMethod.Get, key, Lifetime, query);
                    PresignedUrl signed = StoreProviders.Get(scheme).CreatePresigner().Presign(location, request, credentials, SignTime);

                    Assert.Equal(signed.Url[..signed.Url.IndexOf('?', StringComparison.Ordinal)], location.ObjectUrl(key));
                    Assert.True(PresignedUrlShape.Matches(scheme, location, request, credentials, signed.Url, signed.ExpiresAt), $"{scheme} {addressing} {key}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_url_changed_where_it_matters_fails(SigningScheme scheme, AddressingStyle addressing)
    {
        BucketLocation location = Location(addressing);
        var credentials = new Credentials("AKIDEXAMPLE", "secret", "token");
        QueryParameter[] query = [new("versionId", "v1"), new("response-content-disposition", "attachment; filename=a.txt")];
        var request = new PresignRequest(PresignMethod.Get, "dir/a b.txt", Lifetime, query);
        PresignedUrl signed = StoreProviders.Get(scheme).CreatePresigner().Presign(location, request, credentials, SignTime);
        string url = signed.Url;
        string objectUrl = location.ObjectUrl("dir/a b.txt");
        string queryText = url[(objectUrl.Length + 1)..];
        string[] pairs = queryText.Split('&');

        var tampered = new List<(string What, string Url, DateTimeOffset ExpiresAt)>
        {
            ("another host", url.Replace("://", "://169.254.169.254/", StringComparison.Ordinal), signed.ExpiresAt),
            ("http for https", "http" + url["https".Length..], signed.ExpiresAt),
            ("another key", location.ObjectUrl("dir/b b.txt") + url[objectUrl.Length..], signed.ExpiresAt),
            ("user info", url.Replace("://", "://evil@", StringComparison.Ordinal), signed.ExpiresAt),
            ("a fragment", url + "#x", signed.ExpiresAt),
            ("an extra parameter", url + "&x-oss-process=image/resize", signed.ExpiresAt),
            ("an empty parameter", url + "&", signed.ExpiresAt),
            ("a later expiry", url, signed.ExpiresAt.AddSeconds(1)),
            ("no query", objectUrl, signed.ExpiresAt),
        };
        for (int i = 0; i < pairs.Length; i++)
        {
            tampered.Add(($"without {pairs[i]}", objectUrl + "?" + string.Join('&', pairs.Where((_, j) => j != i)), signed.ExpiresAt));
            tampered.Add(($"{pairs[i]} twice", url + "&" + pairs[i], signed.ExpiresAt));
            tampered.Add(($"{pairs[i]} changed", objectUrl + "?" + string.Join('&', pairs.Select((p, j) => j == i ? p + "0" : p)), signed.ExpiresAt));
        }

        Assert.True(PresignedUrlShape.Matches(scheme, location, request, credentials, url, signed.ExpiresAt));
        foreach ((string what, string changed, DateTimeOffset expiresAt) in tampered)
        {
            Assert.False(PresignedUrlShape.Matches(scheme, location, request, credentials, changed, expiresAt), what);
        }

        // The same URL is not the shape of another request: another override, lifetime or access key.
        Assert.False(PresignedUrlShape.Matches(scheme, location, new PresignRequest(PresignMethod.Get, "dir/a b.txt", Lifetime, [new("versionId", "v2"), query[1]]), credentials, url, signed.ExpiresAt));
        Assert.False(PresignedUrlShape.Matches(scheme, location, new PresignRequest(PresignMethod.Get, "dir/a b.txt", Lifetime, [query[0]]), credentials, url, signed.ExpiresAt));
        Assert.False(PresignedUrlShape.Matches(scheme, location, new PresignRequest(PresignMethod.Get, "dir/a b.txt", Lifetime * 2, query), credentials, url, signed.ExpiresAt + Lifetime));
        Assert.False(PresignedUrlShape.Matches(scheme, location, request, new Credentials("AKIDOTHER00", "secret", "token"), url, signed.ExpiresAt));
        Assert.False(PresignedUrlShape.Matches(scheme, location, request, new Credentials("AKIDEXAMPLE", "secret"), url, signed.ExpiresAt));
    }

    private static IEnumerable<QueryParameter[]> Overrides()
    {
        yield return [];
        yield return [new("versionId", "CAEQNhiBgM0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjZjY2Q1MjY5")];
        yield return [new("response-content-disposition", "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"), new("x-oss-process", "image/resize,w_100")];
        yield return [new("empty", "")];
    }

    [Theory]
    [InlineData(SigningScheme.OssV4)]
    [InlineData(SigningScheme.S3V4)]
    public void A_v4_url_cut_short_by_temporary_keys_passes_and_one_longer_than_the_lifetime_fails(SigningScheme scheme)
    {
        BucketLocation location = Location(AddressingStyle.Path);
        var credentials = new Credentials("fake-sts-key", "fake-secret", "fake+token/=");
        IUrlPresigner presigner = StoreProviders.Get(scheme).CreatePresigner();
        var full = new PresignRequest(PresignMethod.Get, "a.txt", Lifetime, []);
        PresignedUrl shorter = presigner.Presign(location, new PresignRequest(PresignMethod.Get, "a.txt", TimeSpan.FromSeconds(600), []), credentials, SignTime);
        PresignedUrl longer = presigner.Presign(location, new PresignRequest(PresignMethod.Get, "a.txt", Lifetime + TimeSpan.FromSeconds(1), []), credentials, SignTime);

        Assert.True(PresignedUrlShape.Matches(scheme, location, full, credentials, shorter.Url, shorter.ExpiresAt));
        Assert.False(PresignedUrlShape.Matches(scheme, location, full, credentials, shorter.Url, shorter.ExpiresAt.AddSeconds(1)));
        Assert.False(PresignedUrlShape.Matches(scheme, location, full, credentials, longer.Url, longer.ExpiresAt));
    }

    private static BucketLocation Location(AddressingStyle addressing) => addressing == AddressingStyle.Path
        ? BucketLocation.Create("https://127.0.0.1:9000", "cn-hangzhou", "examplebucket", addressing)
        : BucketLocation.Create("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "examplebucket", addressing);
}
