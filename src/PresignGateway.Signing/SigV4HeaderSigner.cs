using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// AWS Signature Version 4 in the <c>Authorization</c> header, for the few API calls the gateway makes itself (STS
/// <c>AssumeRole</c>). Runs once per credential refresh; the signing key derivation is the presigners' own
/// (<see cref="SigningKeyCache.Derive"/>).
/// </summary>
public static class SigV4HeaderSigner
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The <c>X-Amz-Date</c> value of <paramref name="time"/>: <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The <c>Authorization</c> header value.</summary>
    /// <param name="method">The HTTP method, upper case.</param>
    /// <param name="path">The absolute path as sent, already URI-encoded (<c>/</c> for STS).</param>
    /// <param name="canonicalQuery">The canonical query string (sorted, encoded), empty for none.</param>
    /// <param name="headers">The headers to sign, with their values as sent; they must include <c>host</c> and <c>x-amz-date</c> (= <see cref="AmzDate"/> of <paramref name="time"/>).</param>
    /// <param name="payload">The request body.</param>
    public static string Authorization(
        string method, string path, string canonicalQuery, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload,
        string region, string service, Credentials credentials, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(credentials);
        var sorted = headers
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(' ', h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToArray();
        string signedHeaders = string.Join(';', sorted.Select(h => h.Name));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(path).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach ((string name, string value) in sorted)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(payload)));

        string amzDate = AmzDate(time);
        string day = amzDate[..8];
        string scope = $"{day}/{region}/{service}/aws4_request";
        string stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        byte[] key = new SigningKeyCache("AWS4", service, "aws4_request").Derive(credentials.SecretUtf8, Encoding.ASCII.GetBytes(day), Encoding.UTF8.GetBytes(region));
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        CryptographicOperations.ZeroMemory(key);
        return $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }
}
