using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using PresignGateway.Signing;

namespace PresignGateway.Stores;

/// <summary>
/// Reads the answers of metadata services, container endpoints and STS into credentials, and refuses everything else:
/// a non-200, a <c>Code</c> other than <c>Success</c>, a body without keys, an unparsable or past <c>Expiration</c>
/// (nginx-s3-gateway #537 cached a non-200 body as credentials). Messages quote service codes, never a body.
/// </summary>
internal static class CredentialAnswers
{
    /// <summary>The field names of a credential answer (a JSON document, or AWS STS's XML), as its error messages name them.</summary>
    internal sealed record AnswerFields(string AccessKeyId, string Secret, string Token, bool HasCode);

    /// <summary>ECS metadata and <c>ALIBABA_CLOUD_CREDENTIALS_URI</c>.</summary>
    public static readonly AnswerFields AlibabaDocument = new("AccessKeyId", "AccessKeySecret", "SecurityToken", HasCode: true);

    /// <summary>EC2 IMDS.</summary>
    public static readonly AnswerFields ImdsDocument = new("AccessKeyId", "SecretAccessKey", "Token", HasCode: true);

    /// <summary>The ECS / EKS Pod Identity container endpoint (no Code).</summary>
    public static readonly AnswerFields ContainerDocument = new("AccessKeyId", "SecretAccessKey", "Token", HasCode: false);

    /// <summary>AWS STS's XML answer (AssumeRole, AssumeRoleWithWebIdentity); its errors are XML, with no Code in a success.</summary>
    public static readonly AnswerFields AwsStsAnswer = new("AccessKeyId", "SecretAccessKey", "SessionToken", HasCode: false);

    /// <summary>A JSON document with the keys at the top level (metadata services, container endpoints).</summary>
    public static StoreCredentials FromJsonDocument(HttpStatusCode status, string body, AnswerFields fields, DateTimeOffset now)
    {
        using JsonDocument document = ParseJson(status, body);
        JsonElement root = document.RootElement;
        if (fields.HasCode && Text(root, "Code") is { } code && !string.Equals(code, "Success", StringComparison.Ordinal))
        {
            throw new CredentialFetchException($"the answer's Code is '{Clip(code)}', not 'Success'");
        }

        return Build(Text(root, fields.AccessKeyId), Text(root, fields.Secret), Text(root, fields.Token), Text(root, "Expiration"), fields, now);
    }

    /// <summary>Alibaba STS (AssumeRole, AssumeRoleWithOIDC): <c>{"Credentials":{...}}</c>, errors <c>{"Code","Message"}</c>.</summary>
    public static StoreCredentials FromAlibabaSts(HttpStatusCode status, string body, DateTimeOffset now)
    {
        using JsonDocument document = ParseJson(status, body);
        if (!document.RootElement.TryGetProperty("Credentials", out JsonElement credentials) || credentials.ValueKind != JsonValueKind.Object)
        {
            throw new CredentialFetchException("the answer has no Credentials");
        }

        return Build(Text(credentials, "AccessKeyId"), Text(credentials, "AccessKeySecret"), Text(credentials, "SecurityToken"), Text(credentials, "Expiration"), AlibabaDocument, now);
    }

    /// <summary>AWS STS (AssumeRole, AssumeRoleWithWebIdentity): XML with a <c>Credentials</c> element, errors <c>ErrorResponse/Error/Code</c>.</summary>
    public static StoreCredentials FromAwsSts(HttpStatusCode status, string body, DateTimeOffset now)
    {
        XDocument? document = TryParseXml(body);
        if (status != HttpStatusCode.OK)
        {
            throw HttpFailure(status, document?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value);
        }

        XElement credentials = document?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Credentials")
            ?? throw new CredentialFetchException(document is null ? "the answer is not XML" : "the answer has no Credentials");
        string? Child(string name) => credentials.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        return Build(Child("AccessKeyId"), Child("SecretAccessKey"), Child("SessionToken"), Child("Expiration"), AwsStsAnswer, now);
    }

    /// <summary>Parses an ISO 8601 expiry (<c>2026-12-03T13:00:00Z</c>); a time without an offset is UTC.</summary>
    private static bool TryParseExpiration(string? text, out DateTimeOffset expiration)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out expiration);

    /// <summary>A refused answer: its status, and the store's error code when it gave one.</summary>
    private static CredentialFetchException HttpFailure(HttpStatusCode status, string? code)
        => new(code is null ? $"HTTP {(int)status}" : $"HTTP {(int)status} ({Clip(code)})");

    private static StoreCredentials Build(string? id, string? secret, string? token, string? expirationText, AnswerFields fields, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            throw new CredentialFetchException($"the answer has no {(string.IsNullOrEmpty(id) ? fields.AccessKeyId : fields.Secret)}");
        }

        if (string.IsNullOrEmpty(token))
        {
            throw new CredentialFetchException($"the answer has no {fields.Token}");
        }

        if (!TryParseExpiration(expirationText, out DateTimeOffset expiration))
        {
            throw new CredentialFetchException(expirationText is null ? "the answer has no Expiration" : $"the answer's Expiration '{Clip(expirationText)}' is not a date");
        }

        if (expiration <= now)
        {
            throw new CredentialFetchException($"the answer's Expiration {expiration:yyyy-MM-dd'T'HH:mm:ss'Z'} is in the past");
        }

        try
        {
            return new StoreCredentials(new Credentials(id, secret, token), expiration);
        }
        catch (InvalidPresignRequestException e)
        {
            throw new CredentialFetchException($"the answer's keys are unusable: {e.Reason}");
        }
    }

    private static JsonDocument ParseJson(HttpStatusCode status, string body)
    {
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // Reported below with the status.
        }

        if (status != HttpStatusCode.OK)
        {
            string? code = document is { RootElement.ValueKind: JsonValueKind.Object } ? Text(document.RootElement, "Code") : null;
            document?.Dispose();
            throw HttpFailure(status, code);
        }

        if (document is not { RootElement.ValueKind: JsonValueKind.Object })
        {
            document?.Dispose();
            throw new CredentialFetchException("the answer is not a JSON object");
        }

        return document;
    }

    private static XDocument? TryParseXml(string body)
    {
        try
        {
            // No DTD: an STS answer has none, and one could only be an entity-expansion attack.
            using var reader = XmlReader.Create(new StringReader(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A service's code or date, cut short and stripped of control characters, for a message.</summary>
    private static string Clip(string text)
    {
        string clipped = text.Length > 64 ? text[..64] : text;
        return string.Create(clipped.Length, clipped, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
