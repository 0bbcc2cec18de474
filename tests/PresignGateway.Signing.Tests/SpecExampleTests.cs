namespace PresignGateway.Signing.Tests;

/// <summary>
/// The worked examples of the signing spec (its section 7), made by the OSS Go/Python/C# SDK tests and botocore:
/// they add HEAD, STS tokens and V1 sub-resources that the JSON vectors don't cover.
/// </summary>
public sealed class SpecExampleTests
{
    private const string ReportKey = "docs/年报 2024+v1.pdf";
    private static readonly DateTimeOffset OssExampleTime = DateTimeOffset.FromUnixTimeSeconds(1733197460);
    private static readonly DateTimeOffset AwsExampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);
    private static readonly QueryParameter ReportDisposition = new("response-content-disposition", "attachment; filename=report.pdf");
    private static readonly QueryParameter Resize = new("x-oss-process", "image/resize,w_100");

    public static TheoryData<string, string, bool, string?, string> OssV4Examples() => new()
    {
        { "5: GET download", "GET", true, null, "448cc17a7558231a4e66e117b4763fa5483359142e92d167f97319bb99c81eb8" },
        { "6: as HEAD", "HEAD", true, null, "8092e4cac514d8b0c7e7841d68d2b06b785ea80ab8169c944f53a7067a8af7de" },
        { "7: with STS token", "GET", true, "CAIS+ex/ample==", "103534f72917bbd7e66b2cd3df61848d955372b56f2f37011afe3155efb0020d" },
        { "9: without override", "GET", false, null, "c6bd06bfb40489c7bbd3a718b263eda325b7e1047c0a9477da6fbf659a33acbe" },
    };

    [Theory]
    [MemberData(nameof(OssV4Examples))]
    public void Oss_v4_example(string example, string method, bool withOverride, string? token, string expectedSignature)
    {
        Assert.NotEmpty(example);
        var location = BucketLocation.Create("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "examplebucket", AddressingStyle.VirtualHosted);
        var request = new PresignRequest(ParseMethod(method), ReportKey, TimeSpan.FromSeconds(3600), withOverride ? [ReportDisposition] : []);

        PresignedUrl url = new OssV4Presigner().Presign(location, request, new Credentials("ak", "sk", token), OssExampleTime);

        Assert.Equal(expectedSignature, UrlComparison.QueryValue(url.Url, "x-oss-signature"));
    }

    [Fact]
    public void Oss_v4_example_url_is_byte_exact()
    {
        var location = BucketLocation.Create("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "examplebucket", AddressingStyle.VirtualHosted);
        var request = new PresignRequest(PresignMethod.Get, ReportKey, TimeSpan.FromSeconds(3600), [ReportDisposition]);

        PresignedUrl url = new OssV4Presigner().Presign(location, request, new Credentials("ak", "sk"), OssExampleTime);

        Assert.Equal(
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/docs/%E5%B9%B4%E6%8A%A5%202024%2Bv1.pdf?response-content-disposition=attachment%3B%20filename%3Dreport.pdf&x-oss-credential=ak%2F20241203%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20241203T034420Z&x-oss-expires=3600&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=448cc17a7558231a4e66e117b4763fa5483359142e92d167f97319bb99c81eb8",
            url.Url);
        Assert.Equal(OssExampleTime.AddHours(1), url.ExpiresAt);
    }

    public static TheoryData<string, string, string, string?, long, bool, string> OssV1Examples() => new()
    {
        { "10: versionId", "GET", "key", null, 1699807420, false, "dcLTea+Yh9ApirQ8o8dOPqtvJXQ=" },
        { "11: plus in key, STS", "GET", "key+123", "token", 1699808204, false, "jzKYRrM5y6Br0dRFPaTGOsbrDhY=" },
        { "12: download", "GET", ReportKey, null, 1733201060, true, "zOrhgtJGZ0s3tb11HV9p7N60BbE=" },
        { "13: as HEAD", "HEAD", ReportKey, null, 1733201060, true, "ESk63Ax533uaY3sGaVFdM5GnLI8=" },
        { "14: with STS token", "GET", ReportKey, "CAIS+ex/ample==", 1733201060, true, "ujbGmWcPJEpoiQ7tfCHVpIV7g9s=" },
    };

    [Theory]
    [MemberData(nameof(OssV1Examples))]
    public void Oss_v1_example(string example, string method, string key, string? token, long expires, bool download, string expectedSignature)
    {
        Assert.NotEmpty(example);
        string bucket = download ? "examplebucket" : "bucket";
        var location = BucketLocation.Create("http://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", bucket, AddressingStyle.VirtualHosted);
        QueryParameter[] query = download ? [ReportDisposition, Resize] : [new("versionId", "versionId")];
        var request = new PresignRequest(ParseMethod(method), key, TimeSpan.FromSeconds(3600), query);

        PresignedUrl url = new OssV1Presigner().Presign(location, request, new Credentials("ak", "sk", token), DateTimeOffset.FromUnixTimeSeconds(expires - 3600));

        Assert.Equal(expectedSignature, UrlComparison.QueryValue(url.Url, "Signature"));
        Assert.Equal(expires.ToString(System.Globalization.CultureInfo.InvariantCulture), UrlComparison.QueryValue(url.Url, "Expires"));
    }

    [Fact]
    public void Oss_v1_example_without_parameters()
    {
        var location = BucketLocation.Create("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "examplebucket", AddressingStyle.VirtualHosted);
        var request = new PresignRequest(PresignMethod.Get, ReportKey, TimeSpan.FromSeconds(3600));

        PresignedUrl url = new OssV1Presigner().Presign(location, request, new Credentials("ak", "sk"), OssExampleTime);

        Assert.Equal(
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/docs/%E5%B9%B4%E6%8A%A5%202024%2Bv1.pdf?Expires=1733201060&OSSAccessKeyId=ak&Signature=FEyshnnZVvQ2xGxk9ITDtE31PPU%3D",
            url.Url);
    }

    public static TheoryData<string, string, string, AddressingStyle, string?, string> S3Examples() => new()
    {
        { "16: AWS published example", "GET", "test.txt", AddressingStyle.VirtualHosted, null, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404" },
        { "17: non-ASCII key", "GET", ReportKey, AddressingStyle.VirtualHosted, null, "668e4ab6125c2b8447b44b8a5be04e9f30f526648e0c80d11c1d52974706d320" },
        { "18: as HEAD", "HEAD", ReportKey, AddressingStyle.VirtualHosted, null, "1a871cbebedd67700229628ff9817da222c9d431d63999a6ebe6bdc4e5b32a9e" },
        { "19: path style", "GET", ReportKey, AddressingStyle.Path, null, "7cc4dc31bc70906960899ab56151c7f8f20b34139ab5488783ea2a840051ae1b" },
        { "20: session token", "GET", ReportKey, AddressingStyle.VirtualHosted, "FQoGZXIvYXdzEXAMPLE+token/==", "0d86f79294916f8af3d9332b34e96aaec1992ec9239714d713be1e355d5a0dbb" },
    };

    [Theory]
    [MemberData(nameof(S3Examples))]
    public void S3_example(string example, string method, string key, AddressingStyle addressing, string? token, string expectedSignature)
    {
        Assert.NotEmpty(example);
        string endpoint = addressing == AddressingStyle.Path ? "https://s3.us-east-1.amazonaws.com" : "https://s3.amazonaws.com";
        var location = BucketLocation.Create(endpoint, "us-east-1", "examplebucket", addressing);
        var request = new PresignRequest(ParseMethod(method), key, TimeSpan.FromDays(1));
        var credentials = new Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token);

        PresignedUrl url = new S3V4Presigner().Presign(location, request, credentials, AwsExampleTime);

        Assert.Equal(expectedSignature, UrlComparison.QueryValue(url.Url, "X-Amz-Signature"));
    }

    private static PresignMethod ParseMethod(string method) => method == "HEAD" ? PresignMethod.Head : PresignMethod.Get;
}
