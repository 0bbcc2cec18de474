using System.Text;
using PresignGateway.Responses;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// Which store 4xx is whose: the XML body's code decides (it is authoritative), else OSS's x-oss-ec family, else the
/// status. Only credential refusals (and a codeless 403) are worth a fresh signature.
/// </summary>
public sealed class StorageErrorsTests
{
    private static string Xml(string code, string message = "msg", string? ec = null)
        => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>" + code + "</Code>\n  <Message>" + message + "</Message>\n  <RequestId>1</RequestId>\n"
            + (ec is null ? "" : "  <EC>" + ec + "</EC>\n") + "</Error>\n";

    public static TheoryData<int, string, string?, bool, string, int, string> Cases() => new()
    {
        // status, body, x-oss-ec, client sent Range/If-*, refusal, client status, log label
        { 403, Xml("SignatureDoesNotMatch"), null, false, nameof(StorageRefusal.Credentials), 403, "SignatureDoesNotMatch" },
        { 403, Xml("InvalidAccessKeyId"), null, false, nameof(StorageRefusal.Credentials), 403, "InvalidAccessKeyId" },
        { 403, Xml("SecurityTokenExpired"), null, false, nameof(StorageRefusal.Credentials), 403, "SecurityTokenExpired" },
        { 400, Xml("ExpiredToken"), null, false, nameof(StorageRefusal.Credentials), 400, "ExpiredToken" },
        { 400, Xml("InvalidToken"), null, false, nameof(StorageRefusal.Credentials), 400, "InvalidToken" },
        { 403, Xml("InvalidSecurityToken"), "0002-00000008", false, nameof(StorageRefusal.Credentials), 403, "InvalidSecurityToken" },
        { 403, Xml("RequestTimeTooSkewed"), null, false, nameof(StorageRefusal.Credentials), 403, "RequestTimeTooSkewed" },
        { 403, Xml("AccessDenied", "Request has expired"), null, false, nameof(StorageRefusal.Credentials), 403, "AccessDenied" },
        { 403, Xml("AccessDenied", "Request has expired."), "0002-00000069", false, nameof(StorageRefusal.Credentials), 403, "AccessDenied" },
        { 403, Xml("AccessDenied", "Request is not yet valid"), null, false, nameof(StorageRefusal.Credentials), 403, "AccessDenied" },
        { 403, Xml("AccessDenied", "Access Denied"), null, false, nameof(StorageRefusal.Denied), 403, "AccessDenied" },
        { 403, Xml("AccessDenied", "Access denied by bucket policy."), "0003-00000201", false, nameof(StorageRefusal.Denied), 403, "AccessDenied" },
        // The body is authoritative: a plain AccessDenied stays a denial whatever the header says.
        { 403, Xml("AccessDenied", "Access Denied"), "0002-00000069", false, nameof(StorageRefusal.Denied), 403, "AccessDenied" },
        { 403, Xml("InvalidObjectState"), null, false, nameof(StorageRefusal.Denied), 403, "InvalidObjectState" },
        { 403, Xml("SomethingNew"), null, false, nameof(StorageRefusal.Denied), 403, StorageErrors.OtherCode },
        // Codes are exact and case-sensitive, as the services send them; white space around one is tolerated.
        { 403, Xml("signaturedoesnotmatch"), null, false, nameof(StorageRefusal.Denied), 403, StorageErrors.OtherCode },
        { 403, "<Error><Code>\n  SignatureDoesNotMatch\n</Code></Error>", null, false, nameof(StorageRefusal.Credentials), 403, "SignatureDoesNotMatch" },
        { 403, "<Error xmlns=\"http://doc.oss-cn-hangzhou.aliyuncs.com\"><Code>SignatureDoesNotMatch</Code>", null, false, nameof(StorageRefusal.Credentials), 403, "SignatureDoesNotMatch" },
        // No body (HEAD): OSS's x-oss-ec family, else one retry as before.
        { 403, "", "0002-00000201", false, nameof(StorageRefusal.Credentials), 403, StorageErrors.OssAuthenticationFamily },
        { 403, "", "0003-00000201", false, nameof(StorageRefusal.Denied), 403, StorageErrors.OssOtherFamily },
        { 403, "", null, false, nameof(StorageRefusal.Unexplained), 403, StorageErrors.NoCode },
        // A body without a complete code: as if there were none.
        { 403, "<Error><Code>SignatureDoes", null, false, nameof(StorageRefusal.Unexplained), 403, StorageErrors.NoCode },
        { 403, "<html>Forbidden</html>", "0003-00000001", false, nameof(StorageRefusal.Denied), 403, StorageErrors.OssOtherFamily },
        // 400s: the signing parameters are ours, the rest is what the client asked for.
        { 400, Xml("AuthorizationQueryParametersError"), null, false, nameof(StorageRefusal.GatewayRequest), 400, "AuthorizationQueryParametersError" },
        { 400, Xml("InvalidRequest"), null, false, nameof(StorageRefusal.GatewayRequest), 400, "InvalidRequest" },
        { 400, Xml("InvalidURI"), null, false, nameof(StorageRefusal.GatewayRequest), 400, "InvalidURI" },
        { 400, Xml("InvalidArgument"), null, false, nameof(StorageRefusal.ClientRequest), 400, "InvalidArgument" },
        { 400, Xml("RequestHeaderSectionTooLarge"), null, true, nameof(StorageRefusal.ClientRequest), 431, "RequestHeaderSectionTooLarge" },
        { 400, "", null, true, nameof(StorageRefusal.ClientRequest), 400, StorageErrors.NoCode },
        { 400, "", null, false, nameof(StorageRefusal.GatewayRequest), 400, StorageErrors.NoCode },
        { 401, Xml("Unauthorized"), null, false, nameof(StorageRefusal.GatewayRequest), 401, StorageErrors.OtherCode },
        { 401, "", null, true, nameof(StorageRefusal.GatewayRequest), 401, StorageErrors.NoCode },
        // Too large: only what the client sent can be.
        { 431, "", null, true, nameof(StorageRefusal.ClientRequest), 431, StorageErrors.NoCode },
        { 414, Xml("UriTooLong"), null, false, nameof(StorageRefusal.ClientRequest), 414, StorageErrors.NoCode },
        { 409, Xml("Conflict"), null, false, nameof(StorageRefusal.GatewayRequest), 409, StorageErrors.OtherCode },
        { 405, Xml("MethodNotAllowed"), null, false, nameof(StorageRefusal.GatewayRequest), 405, StorageErrors.OtherCode },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refusal_is_classified_by_code_then_x_oss_ec_then_status(
        int status, string body, string? ec, bool clientHeaders, string expected, int expectedClientStatus, string expectedLabel)
    {
        StorageRefusal refusal = StorageErrors.Classify(status, Encoding.UTF8.GetBytes(body), ec, clientHeaders, out int clientStatus, out string label);

        Assert.Equal(expected, refusal.ToString());
        Assert.Equal(expectedClientStatus, clientStatus);
        Assert.Equal(expectedLabel, label);
    }

    [Fact]
    public void The_code_counts_only_within_the_bytes_read()
    {
        byte[] body = Encoding.UTF8.GetBytes(Xml("SignatureDoesNotMatch"));
        int cut = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>Signature").Length;

        Assert.Equal(StorageRefusal.Credentials, StorageErrors.Classify(403, body, null, false, out _, out _));
        Assert.Equal(StorageRefusal.Unexplained, StorageErrors.Classify(403, body.AsSpan(0, cut), null, false, out _, out _));
    }
}
