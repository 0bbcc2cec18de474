namespace PresignGateway.Signing.Tests;

/// <summary>Bucket-level presigning (listings): URL path, what each scheme signs, and what stays refused.</summary>
public sealed class BucketRequestTests
{
    private static readonly DateTimeOffset SignTime = new(2024, 3, 15, 8, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly Credentials Credentials = new("test-access-key-id", "fake-secret", "fake-sts-token/+=");

    public static TheoryData<SigningScheme, AddressingStyle> Layouts() => HostileKeyTests.Layouts();

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Bucket_url_path_is_the_root_or_the_bucket_with_a_slash(SigningScheme scheme, AddressingStyle addressing)
    {
        BucketLocation location = Location(addressing);
        var request = PresignRequest.ForBucket(PresignMethod.Get, Lifetime, ListObjectsQuery.ForDirectoryPage("a b/", 10, null));

        string url = StoreProviders.Get(scheme).CreatePresigner().Presign(location, request, Credentials, SignTime).Url;

        string expectedPath = addressing == AddressingStyle.Path ? "/bucket-1/" : "/";
        Assert.Equal(expectedPath, UrlComparison.Split(url).Path);
        Assert.StartsWith(location.ObjectUrl("a") [..^1] + "?", url, StringComparison.Ordinal);
        Assert.Contains("prefix=a%20b%2F", url, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void An_object_request_with_an_empty_key_is_still_refused(SigningScheme scheme, AddressingStyle addressing)
    {
        var request = new PresignRequest(PresignMethod.Get, "", Lifetime, ListObjectsQuery.ForDirectoryPage("", 10, null));

        var error = Assert.Throws<InvalidPresignRequestException>(
            () => StoreProviders.Get(scheme).CreatePresigner().Presign(Location(addressing), request, Credentials, SignTime));
        Assert.Contains("key is empty", error.Message, StringComparison.Ordinal);
        Assert.False(request.IsBucketRequest);
    }

    [Theory]
    [InlineData(SigningScheme.OssV4, true)]
    [InlineData(SigningScheme.S3V4, true)]
    [InlineData(SigningScheme.OssV1, false)]
    public void Only_oss_v1_leaves_the_list_parameters_unsigned_but_all_schemes_sign_the_continuation_token(SigningScheme scheme, bool signsEveryParameter)
    {
        IUrlPresigner presigner = StoreProviders.Get(scheme).CreatePresigner();
        string Signature(QueryParameter[] query)
        {
            string url = presigner.Presign(Location(AddressingStyle.VirtualHosted), PresignRequest.ForBucket(PresignMethod.Get, Lifetime, query), Credentials, SignTime).Url;
            return UrlComparison.QueryValue(url, VectorFile.SignatureParameter(StoreProviders.Get(scheme).CommandLineName));
        }

        string first = Signature(ListObjectsQuery.ForDirectoryPage("docs/", 1000, "token-1"));

        Assert.Equal(signsEveryParameter, first != Signature(ListObjectsQuery.ForDirectoryPage("other/", 1000, "token-1")));
        Assert.Equal(signsEveryParameter, first != Signature(ListObjectsQuery.ForDirectoryPage("docs/", 10, "token-1")));
        Assert.NotEqual(first, Signature(ListObjectsQuery.ForDirectoryPage("docs/", 1000, "token-2")));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void The_shared_cache_shape_check_never_accepts_a_bucket_url(SigningScheme scheme, AddressingStyle addressing)
    {
        BucketLocation location = Location(addressing);
        var request = PresignRequest.ForBucket(PresignMethod.Get, Lifetime, ListObjectsQuery.ForDirectoryPage("docs/", 1000, null));
        PresignedUrl signed = StoreProviders.Get(scheme).CreatePresigner().Presign(location, request, Credentials, SignTime);

        Assert.False(PresignedUrlShape.Matches(scheme, location, request, Credentials, signed.Url, signed.ExpiresAt));
    }

    [Fact]
    public void Directory_page_query_has_every_list_parameter_once_and_leaves_out_an_empty_prefix_and_no_token()
    {
        Assert.Equal(
            ["list-type=2", "prefix=docs/", "delimiter=/", "max-keys=1000", "encoding-type=url", "continuation-token=t+/="],
            ListObjectsQuery.ForDirectoryPage("docs/", 1000, "t+/=").Select(p => $"{p.Name}={p.Value}"));
        Assert.Equal(
            ["list-type=2", "delimiter=/", "max-keys=1", "encoding-type=url"],
            ListObjectsQuery.ForDirectoryPage("", 1, "").Select(p => $"{p.Name}={p.Value}"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Directory_page_size_outside_1_to_1000_is_refused(int maxKeys)
        => Assert.Throws<ArgumentOutOfRangeException>(() => ListObjectsQuery.ForDirectoryPage("docs/", maxKeys, null));

    [Fact]
    public void A_bucket_request_refuses_the_parameters_the_signer_writes_and_control_characters_like_an_object_request()
    {
        IUrlPresigner presigner = StoreProviders.Get(SigningScheme.S3V4).CreatePresigner();
        Assert.Throws<InvalidPresignRequestException>(() => presigner.Presign(
            Location(AddressingStyle.Path), PresignRequest.ForBucket(PresignMethod.Get, Lifetime, [new("X-Amz-Signature", "x")]), Credentials, SignTime));
        Assert.Throws<InvalidPresignRequestException>(() => presigner.Presign(
            Location(AddressingStyle.Path), PresignRequest.ForBucket(PresignMethod.Get, Lifetime, ListObjectsQuery.ForDirectoryPage("a\u0001/", 10, null)), Credentials, SignTime));
    }

    private static BucketLocation Location(AddressingStyle addressing)
        => BucketLocation.Create(addressing == AddressingStyle.CustomDomain ? "https://files.example.net" : "https://s3.example.com:8443", "us-east-1", "bucket-1", addressing);
}
