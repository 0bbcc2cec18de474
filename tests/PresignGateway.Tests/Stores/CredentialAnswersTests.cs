using System.Net;
using PresignGateway.Stores;

namespace PresignGateway.Tests.Stores;

/// <summary>
/// Every answer shape a credential source reads, and everything that is not credentials refused with a reason that
/// quotes no body, no key and no secret (nginx-s3-gateway #537 cached a non-200 body as credentials).
/// </summary>
public sealed class CredentialAnswersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private const string EcsDocument = """{"Code":"Success","AccessKeyId":"fake-sts-0001","AccessKeySecret":"fake-secret/1","SecurityToken":"fake+token/1=","Expiration":"2026-12-03T13:00:00Z","LastUpdated":"2026-12-03T12:00:00Z"}""";
    private const string ImdsDocument = """{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"fake-sts-0002","SecretAccessKey":"fake-secret/2","Token":"fake+token/2=","Expiration":"2026-12-03T13:00:00Z"}""";
    private const string ContainerDocument = """{"AccessKeyId":"fake-sts-0003","SecretAccessKey":"fake-secret/3","Token":"fake+token/3=","Expiration":"2026-12-03T13:00:00.000Z","RoleArn":"arn:aws:iam::123456789012:role/fake-role"}""";
    private const string AlibabaSts = """{"RequestId":"r","AssumedRoleUser":{"Arn":"a"},"Credentials":{"AccessKeyId":"fake-sts-0004","AccessKeySecret":"fake-secret/4","SecurityToken":"fake+token/4=","Expiration":"2026-12-03T13:00:00Z"}}""";
    private const string AwsSts = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
        <Credentials><AccessKeyId>fake-sts-0005</AccessKeyId><SecretAccessKey>fake-secret/5</SecretAccessKey><SessionToken>fake+token/5=</SessionToken><Expiration>2026-12-03T13:00:00Z</Expiration></Credentials>
        </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
        """;

    [Fact]
    public void Each_document_shape_gives_its_keys_token_and_expiry()
    {
        var expiry = new DateTimeOffset(2026, 12, 3, 13, 0, 0, TimeSpan.Zero);
        StoreCredentials[] sets =
        [
            CredentialAnswers.FromJsonDocument(HttpStatusCode.OK, EcsDocument, CredentialAnswers.AlibabaDocument, Now),
            CredentialAnswers.FromJsonDocument(HttpStatusCode.OK, ImdsDocument, CredentialAnswers.ImdsDocument, Now),
            CredentialAnswers.FromJsonDocument(HttpStatusCode.OK, ContainerDocument, CredentialAnswers.ContainerDocument, Now),
            CredentialAnswers.FromAlibabaSts(HttpStatusCode.OK, AlibabaSts, Now),
            CredentialAnswers.FromAwsSts(HttpStatusCode.OK, AwsSts, Now),
        ];

        for (int i = 0; i < sets.Length; i++)
        {
            string n = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal("fake-sts-000" + n, sets[i].Credentials.AccessKeyId);
            Assert.Equal("fake-secret/" + n, sets[i].Credentials.AccessKeySecret);
            Assert.Equal("fake+token/" + n + "=", sets[i].Credentials.SecurityToken);
            Assert.Equal(expiry, sets[i].Expiration);
            Assert.DoesNotContain("fake-secret", sets[i].ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("fake+token", sets[i].ToString(), StringComparison.Ordinal);
        }
    }

    public static TheoryData<int, string, string> RefusedJson() => new()
    {
        { 500, "<html>Internal error</html>", "HTTP 500" },
        { 404, """{"Code":"EntityNotExist.Role","Message":"fake-secret/1"}""", "HTTP 404 (EntityNotExist.Role)" },
        { 200, "not json", "the answer is not a JSON object" },
        { 200, "[]", "the answer is not a JSON object" },
        { 200, """{"Code":"Failed","AccessKeyId":"a","AccessKeySecret":"fake-secret/1","SecurityToken":"t","Expiration":"2026-12-03T13:00:00Z"}""", "the answer's Code is 'Failed', not 'Success'" },
        { 200, """{"Code":"Success","AccessKeySecret":"fake-secret/1","SecurityToken":"t","Expiration":"2026-12-03T13:00:00Z"}""", "the answer has no AccessKeyId" },
        { 200, """{"Code":"Success","AccessKeyId":"a","SecurityToken":"t","Expiration":"2026-12-03T13:00:00Z"}""", "the answer has no AccessKeySecret" },
        { 200, """{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"fake-secret/1","Expiration":"2026-12-03T13:00:00Z"}""", "the answer has no SecurityToken" },
        { 200, """{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"fake-secret/1","SecurityToken":"t"}""", "the answer has no Expiration" },
        { 200, """{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"fake-secret/1","SecurityToken":"t","Expiration":"soon"}""", "the answer's Expiration 'soon' is not a date" },
        { 200, """{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"fake-secret/1","SecurityToken":"t","Expiration":"2026-12-03T11:59:00Z"}""", "the answer's Expiration 2026-12-03T11:59:00Z is in the past" },
        { 200, """{"Code":"Success","AccessKeyId":"a b","AccessKeySecret":"fake-secret/1","SecurityToken":"t","Expiration":"2026-12-03T13:00:00Z"}""", "the answer's keys are unusable: " },
    };

    [Theory]
    [MemberData(nameof(RefusedJson))]
    public void Metadata_answers_that_are_not_credentials_are_refused(int status, string body, string reason)
    {
        CredentialFetchException refused = Assert.Throws<CredentialFetchException>(
            () => CredentialAnswers.FromJsonDocument((HttpStatusCode)status, body, CredentialAnswers.AlibabaDocument, Now));

        Assert.StartsWith(reason, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-secret", refused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, string, string> RefusedSts() => new()
    {
        { 403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>fake-secret</Message></Error></ErrorResponse>", "HTTP 403 (AccessDenied)" },
        { 503, "", "HTTP 503" },
        { 200, "{}", "the answer is not XML" },
        { 200, "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>", "the answer has no Credentials" },
        { 200, "<r><Credentials><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2026-12-03T13:00:00Z</Expiration></Credentials></r>", "the answer has no AccessKeyId" },
        // No DTD, so no entity expansion.
        { 200, "<!DOCTYPE r [<!ENTITY a \"x\">]><r><Credentials><AccessKeyId>&a;</AccessKeyId></Credentials></r>", "the answer is not XML" },
    };

    [Theory]
    [MemberData(nameof(RefusedSts))]
    public void Aws_sts_answers_that_are_not_credentials_are_refused(int status, string body, string reason)
    {
        CredentialFetchException refused = Assert.Throws<CredentialFetchException>(() => CredentialAnswers.FromAwsSts((HttpStatusCode)status, body, Now));

        Assert.Equal(reason, refused.Message);
    }

    [Theory]
    [InlineData(400, """{"RequestId":"r","Code":"InvalidParameter.RoleArn","Message":"m"}""", "HTTP 400 (InvalidParameter.RoleArn)")]
    [InlineData(200, """{"RequestId":"r"}""", "the answer has no Credentials")]
    [InlineData(200, """{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2026-12-03T11:00:00Z"}}""", "the answer's Expiration 2026-12-03T11:00:00Z is in the past")]
    public void Alibaba_sts_answers_that_are_not_credentials_are_refused(int status, string body, string reason)
    {
        CredentialFetchException refused = Assert.Throws<CredentialFetchException>(() => CredentialAnswers.FromAlibabaSts((HttpStatusCode)status, body, Now));

        Assert.Equal(reason, refused.Message);
    }
}
