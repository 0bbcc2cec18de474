namespace PresignGateway.Signing.Tests;

/// <summary>Bad input is refused with a specific exception that names the rule and never quotes a secret.</summary>
public sealed class ValidationTests
{
    private const string Secret = "SuperSecretValue/abc+123=xyz";
    private const string Token = "CAIS+TopSecretToken/==";
    private static readonly DateTimeOffset SignTime = new(2024, 3, 15, 8, 30, 0, TimeSpan.Zero);

    public static TheoryData<SigningScheme, string, string> BadKeys()
    {
        var data = new TheoryData<SigningScheme, string, string>();
        foreach (SigningScheme scheme in Enum.GetValues<SigningScheme>())
        {
            data.Add(scheme, "", "empty");
            data.Add(scheme, new string('k', 1024), "longer than 1023 bytes");
            data.Add(scheme, new string('é', 512), "longer than 1023 bytes");
            data.Add(scheme, "line\nbreak", "control character U+000A");
            data.Add(scheme, "nul\0.txt", "control character U+0000");
            data.Add(scheme, "del\u007f.txt", "control character U+007F");
            data.Add(scheme, "c1\u0085.txt", "control character U+0085");
        }

        data.Add(SigningScheme.OssV4, "/leading-slash", "can't start with '/'");
        data.Add(SigningScheme.OssV1, "\\leading-backslash", "can't start with '/'");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Bad_key_is_refused(SigningScheme scheme, string key, string expectedReason)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(scheme, key, TimeSpan.FromMinutes(15)));

        Assert.Contains(expectedReason, exception.Reason, StringComparison.Ordinal);
        Assert.Equal("key", exception.ParamName);
        Assert.DoesNotContain(Secret, exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_with_an_unpaired_surrogate_is_refused()
    {
        // Not [InlineData]: the test runner's serialisation would replace the lone surrogate.
        foreach (SigningScheme scheme in Enum.GetValues<SigningScheme>())
        {
            var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(scheme, "lone\uD800surrogate", TimeSpan.FromMinutes(1)));

            Assert.Contains("unpaired UTF-16 surrogate", exception.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Key_of_exactly_1023_bytes_is_accepted()
    {
        string key = new string('é', 511) + "k";

        PresignedUrl url = Presign(SigningScheme.S3V4, key, TimeSpan.FromMinutes(15));

        Assert.StartsWith("https://", url.Url, StringComparison.Ordinal);
    }

    public static TheoryData<SigningScheme, int, string?> BadLifetimes() => new()
    {
        { SigningScheme.OssV4, 0, null },
        { SigningScheme.OssV4, -5, null },
        { SigningScheme.OssV4, 604801, null },
        { SigningScheme.S3V4, 0, null },
        { SigningScheme.S3V4, 604801, null },
        { SigningScheme.OssV1, 0, null },
        { SigningScheme.OssV4, (12 * 3600) + 1, Token },
        { SigningScheme.OssV1, (12 * 3600) + 1, Token },
    };

    [Theory]
    [MemberData(nameof(BadLifetimes))]
    public void Lifetime_outside_the_scheme_limits_is_refused(SigningScheme scheme, int seconds, string? token)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(scheme, "a.txt", TimeSpan.FromSeconds(seconds), token: token));

        Assert.Equal("lifetime", exception.ParamName);
        Assert.Contains("lifetime", exception.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, exception.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SigningScheme.OssV4, 604800, null)]
    [InlineData(SigningScheme.S3V4, 604800, Token)]
    [InlineData(SigningScheme.OssV4, 43200, Token)]
    [InlineData(SigningScheme.OssV1, 1, null)]
    public void Lifetime_at_the_limit_is_accepted(SigningScheme scheme, int seconds, string? token)
    {
        PresignedUrl url = Presign(scheme, "a.txt", TimeSpan.FromSeconds(seconds), token: token);

        Assert.Equal(SignTime.AddSeconds(seconds), url.ExpiresAt);
    }

    [Fact]
    public void Fractional_lifetime_is_refused()
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(SigningScheme.OssV4, "a.txt", TimeSpan.FromMilliseconds(1500)));

        Assert.Contains("whole number of seconds", exception.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SigningScheme.OssV4, "x-oss-signature")]
    [InlineData(SigningScheme.OssV4, "X-OSS-Credential")]
    [InlineData(SigningScheme.OssV4, "x-oss-security-token")]
    [InlineData(SigningScheme.S3V4, "X-Amz-Signature")]
    [InlineData(SigningScheme.S3V4, "x-amz-date")]
    [InlineData(SigningScheme.OssV1, "Signature")]
    [InlineData(SigningScheme.OssV1, "security-token")]
    public void Parameter_the_signer_writes_itself_is_refused(SigningScheme scheme, string name)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(scheme, "a.txt", TimeSpan.FromMinutes(1), [new(name, "x")]));

        Assert.Contains("written by the signer", exception.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("response-content-disposition", "attachment\r\nSet-Cookie: x=1", "control character U+000D")]
    [InlineData("", "value", "empty name")]
    public void Bad_query_parameter_is_refused(string name, string value, string expectedReason)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(SigningScheme.OssV4, "a.txt", TimeSpan.FromMinutes(1), [new(name, value)]));

        Assert.Contains(expectedReason, exception.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_query_parameter_is_refused()
    {
        QueryParameter[] query = [new("versionId", "1"), new("versionId", "2")];

        var exception = Assert.Throws<InvalidPresignRequestException>(() => Presign(SigningScheme.S3V4, "a.txt", TimeSpan.FromMinutes(1), query));

        Assert.Contains("given twice", exception.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_oss_parameters_such_as_image_processing_are_allowed()
    {
        PresignedUrl url = Presign(SigningScheme.OssV4, "a.jpg", TimeSpan.FromMinutes(1), [new("x-oss-process", "image/resize,w_100")]);

        Assert.Contains("x-oss-process=image%2Fresize%2Cw_100", url.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("under_score")]
    [InlineData("dots..dots")]
    [InlineData("a-bucket-name-that-is-much-longer-than-sixty-three-characters-xyz")]
    public void Invalid_bucket_name_is_refused(string bucket)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => BucketLocation.Create("https://s3.amazonaws.com", "us-east-1", bucket, AddressingStyle.Path));

        Assert.Equal("bucket", exception.ParamName);
    }

    [Fact]
    public void Oss_bucket_with_dots_is_refused_by_the_oss_signers()
    {
        var location = BucketLocation.Create("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "with.dots", AddressingStyle.Path);
        var request = new PresignRequest(PresignMethod.Get, "a.txt", TimeSpan.FromMinutes(1));

        Assert.Throws<InvalidPresignRequestException>(() => new OssV4Presigner().Presign(location, request, new Credentials("id", Secret), SignTime));
        Assert.Throws<InvalidPresignRequestException>(() => new OssV1Presigner().Presign(location, request, new Credentials("id", Secret), SignTime));
    }

    [Theory]
    [InlineData("oss-cn-hangzhou.aliyuncs.com")]
    [InlineData("ftp://oss-cn-hangzhou.aliyuncs.com")]
    [InlineData("https://oss-cn-hangzhou.aliyuncs.com/bucket")]
    [InlineData("https://user:pass@oss-cn-hangzhou.aliyuncs.com")]
    [InlineData("https://oss-cn-hangzhou.aliyuncs.com?x=1")]
    public void Invalid_endpoint_is_refused(string endpoint)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => BucketLocation.Create(endpoint, "cn-hangzhou", "bucket", AddressingStyle.VirtualHosted));

        Assert.Equal("endpoint", exception.ParamName);
        Assert.DoesNotContain("pass", exception.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oss-cn-hangzhou.aliyuncs")]
    [InlineData("")]
    [InlineData("us east 1")]
    public void Invalid_region_is_refused(string region)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => BucketLocation.Create("https://s3.amazonaws.com", region, "bucket", AddressingStyle.Path));

        Assert.Equal("region", exception.ParamName);
    }

    [Fact]
    public void Virtual_hosted_addressing_on_an_ip_endpoint_is_refused()
    {
        Assert.Throws<InvalidPresignRequestException>(() => BucketLocation.Create("http://127.0.0.1:9000", "us-east-1", "bucket", AddressingStyle.VirtualHosted));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", AddressingStyle.Path, "127.0.0.1:9000")]
    [InlineData("https://s3.amazonaws.com:443", AddressingStyle.VirtualHosted, "bucket.s3.amazonaws.com")]
    [InlineData("http://[::1]:9000", AddressingStyle.Path, "[::1]:9000")]
    [InlineData("https://Objects.Example.COM", AddressingStyle.CustomDomain, "objects.example.com")]
    public void Host_carries_a_port_only_when_it_is_not_the_default(string endpoint, AddressingStyle addressing, string expectedHost)
    {
        var location = BucketLocation.Create(endpoint, "us-east-1", "bucket", addressing);

        Assert.Equal(expectedHost, location.Host);
    }

    [Fact]
    public void Credentials_never_show_the_secret_or_token()
    {
        var credentials = new Credentials("fake-key-id-TESTKEYID-0001", Secret, Token);

        string text = credentials.ToString();

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("TESTKEYID", text, StringComparison.Ordinal);
        Assert.Contains("fake***0001", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", Secret)]
    [InlineData("id", "")]
    [InlineData("id", " s3cr3t-with-space")]
    [InlineData("id", "s3cr3t-value\n")]
    public void Bad_credentials_are_refused_without_echoing_them(string id, string secret)
    {
        var exception = Assert.Throws<InvalidPresignRequestException>(() => new Credentials(id, secret));

        if (secret.Length > 0)
        {
            Assert.DoesNotContain(secret.Trim(), exception.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Presigned_url_to_string_does_not_show_the_url()
    {
        PresignedUrl url = Presign(SigningScheme.OssV4, "a.txt", TimeSpan.FromMinutes(1));

        Assert.DoesNotContain("signature", url.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("a.txt", url.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_key_cache_derives_once_per_day_and_region()
    {
        var presigner = new S3V4Presigner();
        var location = BucketLocation.Create("https://s3.us-east-1.amazonaws.com", "us-east-1", "bucket", AddressingStyle.VirtualHosted);
        var request = new PresignRequest(PresignMethod.Get, "a.txt", TimeSpan.FromMinutes(1));
        var credentials = new Credentials("id", Secret);

        string first = presigner.Presign(location, request, credentials, SignTime).Url;
        string sameDay = presigner.Presign(location, request, credentials, SignTime.AddHours(10)).Url;
        string nextDay = presigner.Presign(location, request, credentials, SignTime.AddDays(1)).Url;

        Assert.NotEqual(first, sameDay);
        Assert.Contains("%2F20240316%2F", nextDay, StringComparison.Ordinal);
        string expected = ReferenceSigner.S3V4Signature("GET", location.Host, "/a.txt", "us-east-1", "id", Secret, null, SignTime.AddDays(1), 60, []);
        Assert.Equal(expected, UrlComparison.QueryValue(nextDay, "X-Amz-Signature"));
    }

    private static PresignedUrl Presign(SigningScheme scheme, string key, TimeSpan lifetime, QueryParameter[]? query = null, string? token = null)
    {
        string endpoint = scheme == SigningScheme.S3V4 ? "https://s3.us-east-1.amazonaws.com" : "https://oss-cn-hangzhou.aliyuncs.com";
        string region = scheme == SigningScheme.S3V4 ? "us-east-1" : "cn-hangzhou";
        var location = BucketLocation.Create(endpoint, region, "examplebucket", AddressingStyle.VirtualHosted);
        return StoreProviders.Get(scheme).CreatePresigner().Presign(location, new PresignRequest(PresignMethod.Get, key, lifetime, query), new Credentials("fake-key-id-0001", Secret, token), SignTime);
    }
}
