using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// The signature of Alibaba Cloud's RPC-style API calls (STS <c>AssumeRole</c>): <c>SignatureMethod=HMAC-SHA1</c>,
/// <c>SignatureVersion=1.0</c>, as the official SDKs compute it. Runs once per credential refresh, so it favours
/// plainness over speed.
/// </summary>
public static class AlibabaRpcSignature
{
    /// <summary>
    /// The POP percent-encoding: UTF-8, every byte outside <c>A-Z a-z 0-9 - _ . ~</c> as <c>%XX</c> (upper case), so a
    /// space is <c>%20</c> (not <c>+</c>), <c>*</c> is <c>%2A</c> and <c>~</c> stays.
    /// </summary>
    public static string PercentEncode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);

        // RFC 3986's unreserved set and upper-case hex: exactly the POP rule.
        return Uri.EscapeDataString(value);
    }

    /// <summary>
    /// <c>METHOD&amp;%2F&amp;percentEncode(canonicalQuery)</c>, the canonical query being the parameters sorted by name
    /// (ordinal), each <c>percentEncode(name)=percentEncode(value)</c>, joined with <c>&amp;</c>.
    /// </summary>
    public static string StringToSign(string method, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return $"{method}&{PercentEncode("/")}&{PercentEncode(CanonicalQuery(parameters))}";
    }

    /// <summary>The canonical query: sorted by name (ordinal), percent-encoded, joined with <c>&amp;</c>; also a valid form body.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters)
        => string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{PercentEncode(p.Key)}={PercentEncode(p.Value)}"));

    /// <summary>Base64(HMAC-SHA1(key, stringToSign)). For an RPC call the key is the access key secret followed by <c>&amp;</c> (<see cref="Sign"/>).</summary>
    public static string SignString(string stringToSign, string key)
    {
        ArgumentNullException.ThrowIfNull(stringToSign);
        ArgumentNullException.ThrowIfNull(key);
        // HMAC-SHA1 is what the Alibaba RPC API defines for SignatureVersion 1.0 (HMAC, not a bare hash: no collision attack applies).
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350
    }

    /// <summary>The <c>Signature</c> parameter of an RPC call signed with <paramref name="accessKeySecret"/>.</summary>
    public static string Sign(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
        => SignString(StringToSign(method, parameters), accessKeySecret + "&");
}
