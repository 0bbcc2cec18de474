namespace PresignGateway.Responses;

/// <summary>
/// Reads the error code from a store's 4xx: the <c>&lt;Code&gt;</c> (and for AccessDenied the
/// <c>&lt;Message&gt;</c>) of the XML error body, which is authoritative, else OSS's <c>x-oss-ec</c> header, whose
/// family <c>0002</c> is authentication (signature, key, token, expiry) and <c>0003</c> authorisation. Nothing of
/// the body is kept, logged or sent on: the label given back for logs is one of our own constants.
/// </summary>
internal static class StorageErrors
{
    /// <summary>The most bytes of an error body read; S3 and OSS error documents are well under 2 KiB.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public const string NoCode = "(none)";
    public const string OtherCode = "(other)";
    public const string OssAuthenticationFamily = "x-oss-ec 0002";
    public const string OssOtherFamily = "x-oss-ec other";

    private const string AccessDenied = "AccessDenied";
    private const string RequestHeaderSectionTooLarge = "RequestHeaderSectionTooLarge";

    /// <summary>The signature, key, token or time was refused: a fresh signature can fix these. InvalidSecurityToken is OSS's InvalidToken.</summary>
    private static readonly string[] CredentialCodes =
    [
        "SignatureDoesNotMatch", "InvalidAccessKeyId", "SecurityTokenExpired", "ExpiredToken", "InvalidToken", "InvalidSecurityToken", "RequestTimeTooSkewed",
    ];

    /// <summary>400s about the signing parameters or the URL, which only the gateway writes (the key is validated before signing).</summary>
    private static readonly string[] GatewayCodes =
    [
        "AuthorizationQueryParametersError", "AuthorizationHeaderMalformed", "MissingSecurityHeader", "InvalidRequest", "InvalidURI",
    ];

    /// <summary>Codes named in logs as they are; any other code is logged as <see cref="OtherCode"/>.</summary>
    private static readonly string[] LoggedCodes =
    [
        .. CredentialCodes, .. GatewayCodes, AccessDenied, RequestHeaderSectionTooLarge, "InvalidArgument", "InvalidObjectName", "KeyTooLongError",
        "AccountProblem", "AllAccessDisabled", "InvalidObjectState", "UserDisable", "BucketDisable",
    ];

    /// <summary>S3 and OSS say this of an expired presigned URL, with AccessDenied (OSS adds a full stop).</summary>
    private static ReadOnlySpan<byte> ExpiredMessage => "Request has expired"u8;

    /// <summary>The test store and OSS say this when the signing time is ahead of the store's clock.</summary>
    private static ReadOnlySpan<byte> NotYetValidMessage => "Request is not yet valid"u8;

    /// <param name="status">The store's status, 400 to 499 except 404, 412 and 416 (answered as they are).</param>
    /// <param name="body">The start of the error body (at most <see cref="MaxBodyBytes"/>); empty for HEAD.</param>
    /// <param name="ossErrorCode">The <c>x-oss-ec</c> header, if any.</param>
    /// <param name="clientSentHeaders">Whether the client's Range or condition headers went to the store.</param>
    /// <param name="clientStatus">For <see cref="StorageRefusal.ClientRequest"/>: the status the client gets.</param>
    /// <param name="code">A label for logs: a known code, <see cref="NoCode"/>, <see cref="OtherCode"/> or an x-oss-ec family.</param>
    public static StorageRefusal Classify(int status, ReadOnlySpan<byte> body, string? ossErrorCode, bool clientSentHeaders, out int clientStatus, out string code)
    {
        clientStatus = status;
        if (status is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status414UriTooLong or StatusCodes.Status431RequestHeaderFieldsTooLarge)
        {
            // Only what the client sent can be too large: its headers, or its key in the path.
            code = NoCode;
            return StorageRefusal.ClientRequest;
        }

        ReadOnlySpan<byte> codeBytes = Element(body, "<Code>"u8, "</Code>"u8);
        if (!codeBytes.IsEmpty)
        {
            code = Label(codeBytes);
            return ClassifyCode(status, codeBytes, body, clientSentHeaders, ref clientStatus);
        }

        if (ossErrorCode is { Length: > 0 } ec)
        {
            bool authentication = ec.StartsWith("0002-", StringComparison.Ordinal);
            code = authentication ? OssAuthenticationFamily : OssOtherFamily;
            if (authentication)
            {
                return StorageRefusal.Credentials;
            }

            return status == StatusCodes.Status403Forbidden ? StorageRefusal.Denied : WithoutCode(status, clientSentHeaders);
        }

        code = NoCode;
        return status == StatusCodes.Status403Forbidden ? StorageRefusal.Unexplained : WithoutCode(status, clientSentHeaders);
    }

    private static StorageRefusal ClassifyCode(int status, ReadOnlySpan<byte> code, ReadOnlySpan<byte> body, bool clientSentHeaders, ref int clientStatus)
    {
        if (IsAny(code, CredentialCodes))
        {
            return StorageRefusal.Credentials;
        }

        if (code.SequenceEqual("AccessDenied"u8))
        {
            ReadOnlySpan<byte> message = Element(body, "<Message>"u8, "</Message>"u8);
            return message.IndexOf(ExpiredMessage) >= 0 || message.IndexOf(NotYetValidMessage) >= 0 ? StorageRefusal.Credentials : StorageRefusal.Denied;
        }

        if (status == StatusCodes.Status403Forbidden)
        {
            return StorageRefusal.Denied;
        }

        if (status == StatusCodes.Status401Unauthorized || IsAny(code, GatewayCodes))
        {
            return StorageRefusal.GatewayRequest;
        }

        if (code.SequenceEqual("RequestHeaderSectionTooLarge"u8))
        {
            // S3's 400 for a request head over its limit: only the client's headers can make ours that large.
            clientStatus = StatusCodes.Status431RequestHeaderFieldsTooLarge;
            return StorageRefusal.ClientRequest;
        }

        // Any other 400 is about what the client chose: a Range, a condition, a version id, an image process.
        return status == StatusCodes.Status400BadRequest ? StorageRefusal.ClientRequest : WithoutCode(status, clientSentHeaders);
    }

    /// <summary>A 400 without a code (a HEAD) is the client's only when it sent headers to blame; anything else is ours.</summary>
    private static StorageRefusal WithoutCode(int status, bool clientSentHeaders)
        => status == StatusCodes.Status400BadRequest && clientSentHeaders ? StorageRefusal.ClientRequest : StorageRefusal.GatewayRequest;

    /// <summary>The text between the first <paramref name="open"/> and the <paramref name="close"/> after it; empty when either is missing.</summary>
    private static ReadOnlySpan<byte> Element(ReadOnlySpan<byte> body, ReadOnlySpan<byte> open, ReadOnlySpan<byte> close)
    {
        int start = body.IndexOf(open);
        if (start < 0)
        {
            return default;
        }

        ReadOnlySpan<byte> rest = body[(start + open.Length)..];
        int end = rest.IndexOf(close);
        return end < 0 ? default : rest[..end].Trim(" \t\r\n"u8);
    }

    private static bool IsAny(ReadOnlySpan<byte> code, string[] names)
    {
        foreach (string name in names)
        {
            if (System.Text.Ascii.Equals(code, name))
            {
                return true;
            }
        }

        return false;
    }

    private static string Label(ReadOnlySpan<byte> code)
    {
        foreach (string name in LoggedCodes)
        {
            if (System.Text.Ascii.Equals(code, name))
            {
                return name;
            }
        }

        return OtherCode;
    }
}
