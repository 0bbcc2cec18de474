using System.Text;

namespace PresignGateway.Signing.Tests;

/// <summary>
/// The signatures of the STS calls the gateway makes when a store's credentials come from AssumeRole: Alibaba's RPC
/// HMAC-SHA1 (pinned by credentials-java's vector) and AWS SigV4 in the Authorization header (pinned by the AWS SigV4
/// test suite's vanilla requests).
/// </summary>
public sealed class StsSigningTests
{
    [Fact]
    public void Alibaba_rpc_signString_matches_the_credentials_java_vector()
        => Assert.Equal("7eV3A584uvdgKVk8Ck8r9ukg1gE=", AlibabaRpcSignature.SignString("abc~!@#", "sk#$!~~~"));

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("a b", "a%20b")]
    [InlineData("a*b", "a%2Ab")]
    [InlineData("a~b-_.", "a~b-_.")]
    [InlineData("a+b/c=", "a%2Bb%2Fc%3D")]
    [InlineData("2026-12-03T13:00:00Z", "2026-12-03T13%3A00%3A00Z")]
    [InlineData("é", "%C3%A9")]
    public void Alibaba_percent_encoding_is_the_pop_one(string value, string encoded)
        => Assert.Equal(encoded, AlibabaRpcSignature.PercentEncode(value));

    [Fact]
    public void Alibaba_string_to_sign_sorts_and_encodes_twice()
    {
        var parameters = new Dictionary<string, string> { ["b"] = "2 3", ["Action"] = "AssumeRole", ["a"] = "x:y" };
        Assert.Equal("POST&%2F&Action%3DAssumeRole%26a%3Dx%253Ay%26b%3D2%25203", AlibabaRpcSignature.StringToSign("POST", parameters));
        Assert.Equal(
            AlibabaRpcSignature.SignString("POST&%2F&Action%3DAssumeRole%26a%3Dx%253Ay%26b%3D2%25203", "fake-secret&"),
            AlibabaRpcSignature.Sign("POST", parameters, "fake-secret"));
    }

    // The AWS SigV4 test suite's example credentials and time (golden vectors).
    private static readonly Credentials AwsExample = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void SigV4_header_signing_matches_the_suite_get_vanilla()
    {
        string authorization = SigV4HeaderSigner.Authorization(
            "GET", "/", "", [new("Host", "example.amazonaws.com"), new("X-Amz-Date", SigV4HeaderSigner.AmzDate(SuiteTime))], [],
            "us-east-1", "service", AwsExample, SuiteTime);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            authorization);
    }

    [Fact]
    public void SigV4_header_signing_matches_the_suite_post_x_www_form_urlencoded()
    {
        string authorization = SigV4HeaderSigner.Authorization(
            "POST", "/", "",
            [new("Content-Type", "application/x-www-form-urlencoded"), new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z")],
            Encoding.ASCII.GetBytes("Param1=value1"), "us-east-1", "service", AwsExample, SuiteTime);
        Assert.EndsWith("SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a", authorization);
    }
}
