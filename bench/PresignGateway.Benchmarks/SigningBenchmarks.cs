using BenchmarkDotNet.Attributes;
using PresignGateway.Signing;

namespace PresignGateway.Benchmarks;

/// <summary>
/// One presign per scheme for a typical download: a nested key, an STS-less long-term key, one response override.
/// The signing key cache is warm after the first call, as it is in the gateway.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private static readonly DateTimeOffset SignTime = new(2024, 3, 15, 8, 30, 0, TimeSpan.Zero);

    private readonly OssV4Presigner _ossV4 = new();
    private readonly OssV1Presigner _ossV1 = new();
    private readonly S3V4Presigner _s3V4 = new();
    private readonly Credentials _ossCredentials = new("test-access-key-id", "TestSecret/abc+123=xyz");
    private readonly Credentials _awsCredentials = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    private readonly BucketLocation _oss = BucketLocation.Create("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "examplebucket", AddressingStyle.VirtualHosted);
    private readonly BucketLocation _s3 = BucketLocation.Create("https://s3.us-east-1.amazonaws.com", "us-east-1", "examplebucket", AddressingStyle.VirtualHosted);
    private PresignRequest _request;
    private PresignRequest _plainRequest;

    [GlobalSetup]
    public void Setup()
    {
        _request = new PresignRequest(
            PresignMethod.Get, "releases/1.4.2/app-1.4.2.zip", TimeSpan.FromHours(1),
            [new QueryParameter("response-content-disposition", "attachment; filename=\"app.zip\"")]);
        _plainRequest = new PresignRequest(PresignMethod.Get, "releases/1.4.2/app-1.4.2.zip", TimeSpan.FromHours(1));
    }

    [Benchmark]
    public string OssV4() => _ossV4.Presign(_oss, _request, _ossCredentials, SignTime).Url;

    [Benchmark]
    public string OssV4_NoOverride() => _ossV4.Presign(_oss, _plainRequest, _ossCredentials, SignTime).Url;

    [Benchmark]
    public string S3V4() => _s3V4.Presign(_s3, _request, _awsCredentials, SignTime).Url;

    [Benchmark]
    public string S3V4_NoOverride() => _s3V4.Presign(_s3, _plainRequest, _awsCredentials, SignTime).Url;

    [Benchmark]
    public string OssV1() => _ossV1.Presign(_oss, _request, _ossCredentials, SignTime).Url;
}
