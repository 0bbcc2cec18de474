using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing.Tests;

/// <summary>
/// A deliberately plain implementation of the signing spec, written with the BCL helpers its "C# mapping" table names
/// (Uri.EscapeDataString, Split/Join, StringComparer.Ordinal, one HMAC per step). It is slow and allocates freely;
/// property tests check that the optimised presigners agree with it on random inputs.
/// </summary>
internal static class ReferenceSigner
{
    public static string Enc(string s) => Uri.EscapeDataString(s);

    public static string EncPath(string s) => string.Join("/", s.Split('/').Select(Uri.EscapeDataString));

    public static string OssV4Signature(string method, string bucket, string key, string region, string accessKeyId, string secret, string? token, DateTimeOffset time, long expires, IEnumerable<QueryParameter> query)
    {
        string t = Stamp(time), d = t[..8];
        string scope = $"{d}/{region}/oss/aliyun_v4_request";
        var parameters = query.Select(p => (Enc(p.Name), Enc(p.Value))).ToList();
        parameters.Add(("x-oss-signature-version", "OSS4-HMAC-SHA256"));
        parameters.Add(("x-oss-credential", Enc($"{accessKeyId}/{scope}")));
        parameters.Add(("x-oss-date", t));
        parameters.Add(("x-oss-expires", expires.ToString(CultureInfo.InvariantCulture)));
        if (token is not null)
        {
            parameters.Add(("x-oss-security-token", Enc(token)));
        }

        string canonicalQuery = string.Join("&", parameters.OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)
            .Select(p => p.Item2.Length == 0 ? p.Item1 : p.Item1 + "=" + p.Item2));
        string canonicalRequest = $"{method}\n{EncPath("/" + bucket + "/" + key)}\n{canonicalQuery}\n\n\nUNSIGNED-PAYLOAD";
        string stringToSign = $"OSS4-HMAC-SHA256\n{t}\n{scope}\n{Sha256Hex(canonicalRequest)}";
        byte[] k = Hmac("aliyun_v4" + secret, d);
        k = Hmac(k, region);
        k = Hmac(k, "oss");
        k = Hmac(k, "aliyun_v4_request");
        return Convert.ToHexStringLower(Hmac(k, stringToSign));
    }

    public static string S3V4Signature(string method, string host, string path, string region, string accessKeyId, string secret, string? token, DateTimeOffset time, long expires, IEnumerable<QueryParameter> query)
    {
        string t = Stamp(time), d = t[..8];
        string scope = $"{d}/{region}/s3/aws4_request";
        var parameters = query.Select(p => (Enc(p.Name), Enc(p.Value))).ToList();
        parameters.Add(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"));
        parameters.Add(("X-Amz-Credential", Enc($"{accessKeyId}/{scope}")));
        parameters.Add(("X-Amz-Date", t));
        parameters.Add(("X-Amz-Expires", expires.ToString(CultureInfo.InvariantCulture)));
        parameters.Add(("X-Amz-SignedHeaders", "host"));
        if (token is not null)
        {
            parameters.Add(("X-Amz-Security-Token", Enc(token)));
        }

        string canonicalQuery = string.Join("&", parameters.OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)
            .Select(p => p.Item1 + "=" + p.Item2));
        string canonicalRequest = $"{method}\n{path}\n{canonicalQuery}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        string stringToSign = $"AWS4-HMAC-SHA256\n{t}\n{scope}\n{Sha256Hex(canonicalRequest)}";
        byte[] k = Hmac("AWS4" + secret, d);
        k = Hmac(k, region);
        k = Hmac(k, "s3");
        k = Hmac(k, "aws4_request");
        return Convert.ToHexStringLower(Hmac(k, stringToSign));
    }

    public static string OssV1Signature(string method, string bucket, string key, string secret, string? token, long expiresEpoch, IEnumerable<QueryParameter> query)
    {
        var subResources = query.Where(p => p.Name.StartsWith("x-oss-", StringComparison.Ordinal) || p.Name is "versionId" || p.Name.StartsWith("response-", StringComparison.Ordinal))
            .Select(p => (p.Name, p.Value)).ToList();
        if (token is not null)
        {
            subResources.Add(("security-token", token));
        }

        string resource = "/" + bucket + "/" + key;
        if (subResources.Count > 0)
        {
            resource += "?" + string.Join("&", subResources.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value.Length == 0 ? p.Name : p.Name + "=" + p.Value));
        }

        string stringToSign = $"{method}\n\n\n{expiresEpoch}\n{resource}";
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Sha256Hex(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private static byte[] Hmac(string key, string data) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(data));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
