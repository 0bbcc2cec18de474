using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Alibaba Cloud OSS legacy V1 query presign (<c>OSSAccessKeyId</c>, absolute <c>Expires</c>, Base64 HMAC-SHA1
/// <c>Signature</c>). The string to sign carries the RAW key and raw sub-resource values; the URL carries encoded ones.
/// Only whitelisted sub-resources are signed, so prefer V4 where unsigned parameters matter.
/// </summary>
public sealed class OssV1Presigner : IUrlPresigner
{
    private const int FixedOverhead = 512;

    // The sub-resources OSS signs in V1 (besides every x-oss-* parameter), from the OSS signing documentation.
    private static readonly string[] SubResources =
    [
        "acl", "append", "bucketInfo", "callback", "callback-var", "cname", "comp", "continuation-token", "cors", "delete",
        "encryption", "endTime", "groupId", "inventory", "inventoryId", "lifecycle", "link", "live", "location", "logging",
        "metaQuery", "objectInfo", "objectMeta", "partNumber", "policy", "position", "qos", "qosInfo", "referer",
        "regionList", "replication", "replicationLocation", "replicationProgress", "requestPayment", "resourceGroup",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires", "restore", "security-token", "sequential", "startTime", "stat",
        "status", "style", "styleName", "symlink", "tagging", "transferAcceleration", "uploadId", "uploads", "versionId",
        "versioning", "versions", "vod", "website", "worm", "wormExtend", "wormId",
    ];

    internal const string AccessKeyIdParameter = "OSSAccessKeyId";
    internal const string ExpiresParameter = "Expires";
    internal const string SignatureParameter = "Signature";
    internal const string SecurityTokenParameter = "security-token";

    private static readonly string[] ReservedNames = [AccessKeyIdParameter, ExpiresParameter, SignatureParameter, SecurityTokenParameter];

    private static readonly Func<string, bool> IsReserved = static name =>
    {
        foreach (string reserved in ReservedNames)
        {
            if (string.Equals(name, reserved, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    };

    /// <summary>The OSS rules of <see cref="OssV4Presigner"/>, with V1's own lifetime and query form.</summary>
    public static StoreProvider Descriptor { get; } = new()
    {
        Scheme = SigningScheme.OssV1,
        CommandLineName = "oss-v1",
        StoreKind = OssV4Presigner.Descriptor.StoreKind,
        // OSS documents no maximum for V1; ten years keeps the absolute expiry sane.
        MaxLifetime = TimeSpan.FromDays(3650),
        MaxLifetimeWithToken = OssV4Presigner.Descriptor.MaxLifetimeWithToken,
        BucketNameMayContainDots = OssV4Presigner.Descriptor.BucketNameMayContainDots,
        KeyMayStartWithSlash = OssV4Presigner.Descriptor.KeyMayStartWithSlash,
        Overrides = OssV4Presigner.Descriptor.Overrides,
        CredentialVariables = OssV4Presigner.Descriptor.CredentialVariables,
        CredentialFamily = OssV4Presigner.Descriptor.CredentialFamily,
        PresignerFactory = static () => new OssV1Presigner(),
    };

    public SigningScheme Scheme => Descriptor.Scheme;

    public PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        PresignValidation.ValidateMethod(request.Method);
        PresignValidation.ValidateTarget(request, Descriptor);
        PresignValidation.ValidateLifetime(request.Lifetime, Descriptor, credentials.SecurityToken is not null);
        PresignValidation.ValidateQuery(request.Query, IsReserved);
        PresignValidation.ValidateBucket(location, Descriptor);

        long expires = signingTime.ToUnixTimeSeconds() + (long)request.Lifetime.TotalSeconds;

        int textLength = request.Key.Length + credentials.AccessKeyId.Length + (credentials.SecurityToken?.Length ?? 0);
        for (int i = 0; i < request.Query.Count; i++)
        {
            textLength += request.Query[i].Name.Length + request.Query[i].Value.Length;
        }

        int sectionSize = (textLength * UriEncoding.MaxEncodedBytesPerChar) + location.UrlPrefixUtf8.Length + location.BucketUtf8.Length + FixedOverhead;
        byte[] rented = ArrayPool<byte>.Shared.Rent(sectionSize * 2);
        try
        {
            Span<byte> buffer = rented.AsSpan(0, sectionSize * 2);
            return Sign(location, request, credentials, expires, buffer[..sectionSize], buffer[sectionSize..]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static PresignedUrl Sign(
        BucketLocation location, in PresignRequest request, Credentials credentials, long expires, Span<byte> stringToSignBuffer, Span<byte> urlBuffer)
    {
        IReadOnlyList<QueryParameter> query = request.Query;

        // Sub-resources in raw-name order (ordinal), the security token among them.
        int subResourceCount = 0;
        Span<int> order = stackalloc int[query.Count + 1];
        for (int i = 0; i < query.Count; i++)
        {
            if (IsSubResource(query[i].Name))
            {
                order[subResourceCount++] = i;
            }
        }

        string? token = credentials.SecurityToken;
        if (token is not null)
        {
            order[subResourceCount++] = -1;
        }

        Span<int> subResources = order[..subResourceCount];
        for (int i = 1; i < subResources.Length; i++)
        {
            int current = subResources[i];
            int j = i - 1;
            while (j >= 0 && string.CompareOrdinal(NameAt(query, subResources[j]), NameAt(query, current)) > 0)
            {
                subResources[j + 1] = subResources[j];
                j--;
            }

            subResources[j + 1] = current;
        }

        var stringToSign = new Utf8Writer(stringToSignBuffer);
        stringToSign.Append(request.Method == PresignMethod.Head ? "HEAD\n\n\n"u8 : "GET\n\n\n"u8);
        stringToSign.AppendNumber(expires);
        stringToSign.Append("\n/"u8);
        stringToSign.Append(location.BucketUtf8);
        stringToSign.Append((byte)'/');
        stringToSign.AppendUtf8(request.Key);
        for (int i = 0; i < subResources.Length; i++)
        {
            stringToSign.Append(i == 0 ? (byte)'?' : (byte)'&');
            int index = subResources[i];
            stringToSign.AppendAscii(NameAt(query, index));
            string value = index < 0 ? token! : query[index].Value;
            if (value.Length > 0)
            {
                stringToSign.Append((byte)'=');
                stringToSign.AppendUtf8(value);
            }
        }

        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
#pragma warning disable CA5350 // HMAC-SHA1 is what the OSS V1 protocol specifies; V4 is the default.
        HMACSHA1.HashData(credentials.SecretUtf8, stringToSign.Written, mac);
#pragma warning restore CA5350
        Span<byte> signature = stackalloc byte[Base64.GetMaxEncodedToUtf8Length(HMACSHA1.HashSizeInBytes)];
        Base64.EncodeToUtf8(mac, signature, out _, out int signatureLength);

        var url = new Utf8Writer(urlBuffer);
        url.Append(location.UrlPrefixUtf8);
        if (location.BucketInPath)
        {
            url.Append((byte)'/');
            url.Append(location.BucketUtf8);
        }

        url.Append((byte)'/');
        url.AppendEncoded(request.Key, keepSlash: true);
        url.Append("?Expires="u8);
        url.AppendNumber(expires);
        url.Append("&OSSAccessKeyId="u8);
        url.AppendEncoded(credentials.AccessKeyId);
        url.Append("&Signature="u8);
        url.AppendEncoded(signature[..signatureLength]);
        if (token is not null)
        {
            url.Append("&security-token="u8);
            url.AppendEncoded(token);
        }

        for (int i = 0; i < query.Count; i++)
        {
            url.Append((byte)'&');
            url.AppendEncoded(query[i].Name);
            if (query[i].Value.Length > 0)
            {
                url.Append((byte)'=');
                url.AppendEncoded(query[i].Value);
            }
        }

        return new PresignedUrl(Encoding.ASCII.GetString(url.Written), DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    private static string NameAt(IReadOnlyList<QueryParameter> query, int index) => index < 0 ? SecurityTokenParameter : query[index].Name;

    private static bool IsSubResource(string name)
    {
        if (name.StartsWith("x-oss-", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (string subResource in SubResources)
        {
            if (string.Equals(name, subResource, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
