using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// The V4 query presign shared by OSS V4 and S3 SigV4: canonical request, string to sign, HMAC-SHA256 chain, URL.
/// One pooled buffer holds the encoded parameters, the canonical request and the URL; the URL string is the only
/// allocation on a warm signing-key cache.
/// </summary>
internal sealed class V4QuerySigner
{
    private const int FixedOverhead = 1024;

    private readonly StoreProvider _provider;
    private readonly V4Dialect _dialect;
    private readonly byte[] _algorithm;
    private readonly byte[] _signatureParameter;
    private readonly byte[] _scopeSuffix;
    private readonly string[] _reservedNames;
    private readonly SigningKeyCache _keyCache;
    private readonly Func<string, bool> _isReserved;
    private readonly HashContextPool _sha256 = HashContextPool.ForSha256();

    public V4QuerySigner(StoreProvider provider, V4Dialect dialect)
    {
        _provider = provider;
        _dialect = dialect;
        _algorithm = Encoding.ASCII.GetBytes(dialect.Algorithm);
        _signatureParameter = Encoding.ASCII.GetBytes(dialect.SignatureParameter);
        _scopeSuffix = Encoding.ASCII.GetBytes(dialect.ScopeSuffix);
        _reservedNames = dialect.ReservedNames();
        _keyCache = new SigningKeyCache(dialect.SecretPrefix, dialect.Service, dialect.Terminator);
        _isReserved = IsReserved;
    }

    public PresignedUrl Presign(BucketLocation location, in PresignRequest request, Credentials credentials, DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        PresignValidation.ValidateMethod(request.Method);
        PresignValidation.ValidateTarget(request, _provider);
        PresignValidation.ValidateLifetime(request.Lifetime, _provider, credentials.SecurityToken is not null);
        IReadOnlyList<QueryParameter> query = request.Query;
        PresignValidation.ValidateQuery(query, _isReserved);
        PresignValidation.ValidateBucket(location, _provider);

        // Every part of the date comes from one instant, so the day in the scope always matches the timestamp.
        DateTime utc = signingTime.UtcDateTime;
        utc = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        long lifetimeSeconds = (long)request.Lifetime.TotalSeconds;

        int textLength = request.Key.Length + credentials.AccessKeyId.Length + (credentials.SecurityToken?.Length ?? 0) + location.Region.Length;
        for (int i = 0; i < query.Count; i++)
        {
            textLength += query[i].Name.Length + query[i].Value.Length;
        }

        int sectionSize = (textLength * UriEncoding.MaxEncodedBytesPerChar) + location.UrlPrefixUtf8.Length + location.HostUtf8.Length + FixedOverhead;
        byte[] rented = ArrayPool<byte>.Shared.Rent(sectionSize * 3);
        try
        {
            return Sign(location, request, credentials, utc, lifetimeSeconds, rented.AsSpan(0, sectionSize * 3), sectionSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private PresignedUrl Sign(
        BucketLocation location, in PresignRequest request, Credentials credentials, DateTime utc, long lifetimeSeconds, Span<byte> buffer, int sectionSize)
    {
        V4Dialect dialect = _dialect;
        Span<byte> timestamp = stackalloc byte[16];
        var timestampWriter = new Utf8Writer(timestamp);
        timestampWriter.AppendIsoBasic(utc, withTime: true);
        ReadOnlySpan<byte> day = timestamp[..8];

        // 1. The query parameters, encoded once: these exact bytes go into both the canonical request and the URL.
        IReadOnlyList<QueryParameter> userQuery = request.Query;
        Span<EncodedParameter> slots = stackalloc EncodedParameter[userQuery.Count + 6];
        var query = new EncodedQuery(buffer[..sectionSize], slots);
        for (int i = 0; i < userQuery.Count; i++)
        {
            query.Add(userQuery[i].Name, userQuery[i].Value);
        }

        query.BeginParameter(dialect.AlgorithmParameter);
        query.AppendValue(_algorithm);
        query.BeginParameter(dialect.CredentialParameter);
        query.AppendValue(credentials.AccessKeyId);
        query.AppendValue("/"u8);
        query.AppendValue(day);
        query.AppendValue("/"u8);
        query.AppendValue(location.RegionUtf8);
        query.AppendValue(_scopeSuffix);
        query.BeginParameter(dialect.DateParameter);
        query.AppendValue(timestamp);
        query.BeginParameter(dialect.ExpiresParameter);
        Span<byte> expiresText = stackalloc byte[20];
        var expiresWriter = new Utf8Writer(expiresText);
        expiresWriter.AppendNumber(lifetimeSeconds);
        query.AppendValue(expiresWriter.Written);
        if (credentials.SecurityToken is { } token)
        {
            query.Add(dialect.SecurityTokenParameter, token);
        }

        if (dialect.SignedHeadersParameter is { } signedHeaders)
        {
            query.Add(signedHeaders, "host");
        }

        query.Sort();

        // 2. The canonical request. The URI and the query are slices of it that the URL reuses.
        var canonical = new Utf8Writer(buffer.Slice(sectionSize, sectionSize));
        canonical.Append(request.Method == PresignMethod.Head ? "HEAD\n"u8 : "GET\n"u8);
        int uriStart = canonical.Position;
        if (dialect.CanonicalUriAlwaysHasBucket || location.BucketInPath)
        {
            canonical.Append((byte)'/');
            canonical.Append(location.BucketUtf8);
        }

        int keyPathStart = canonical.Position;
        canonical.Append((byte)'/');
        canonical.AppendEncoded(request.Key, keepSlash: true);
        int uriEnd = canonical.Position;
        canonical.Append((byte)'\n');
        int queryStart = canonical.Position;
        canonical.Advance(query.WriteTo(canonical.Remaining, dialect.EqualsForEmptyValue));
        int queryEnd = canonical.Position;
        if (dialect.SignsHost)
        {
            canonical.Append("\nhost:"u8);
            canonical.Append(location.HostUtf8);
            canonical.Append("\n\nhost\nUNSIGNED-PAYLOAD"u8);
        }
        else
        {
            // No canonical header lines and no additional headers: two empty lines.
            canonical.Append("\n\n\nUNSIGNED-PAYLOAD"u8);
        }

        // 3. String to sign and signature.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        _sha256.Hash(canonical.Written, hash);
        Span<byte> stringToSignBuffer = stackalloc byte[256];
        var stringToSign = new Utf8Writer(stringToSignBuffer);
        stringToSign.Append(_algorithm);
        stringToSign.Append((byte)'\n');
        stringToSign.Append(timestamp);
        stringToSign.Append((byte)'\n');
        stringToSign.Append(day);
        stringToSign.Append((byte)'/');
        stringToSign.Append(location.RegionUtf8);
        stringToSign.Append(_scopeSuffix);
        stringToSign.Append((byte)'\n');
        stringToSign.AppendLowerHex(hash);

        int dayNumber = (utc.Year * 10000) + (utc.Month * 100) + utc.Day;
        SigningKey signingKey = _keyCache.GetKey(credentials, dayNumber, day, location);
        Span<byte> signature = stackalloc byte[HMACSHA256.HashSizeInBytes];
        signingKey.Hmac.Hash(stringToSign.Written, signature);

        // 4. The URL: the same encoded path and query, then the signature.
        ReadOnlySpan<byte> canonicalBytes = buffer.Slice(sectionSize, sectionSize);
        int pathStart = location.BucketInPath ? uriStart : keyPathStart;
        var url = new Utf8Writer(buffer.Slice(2 * sectionSize, sectionSize));
        url.Append(location.UrlPrefixUtf8);
        url.Append(canonicalBytes[pathStart..uriEnd]);
        url.Append((byte)'?');
        url.Append(canonicalBytes[queryStart..queryEnd]);
        url.Append((byte)'&');
        url.Append(_signatureParameter);
        url.Append((byte)'=');
        url.AppendLowerHex(signature);

        var expiresAt = new DateTimeOffset(utc.AddSeconds(lifetimeSeconds), TimeSpan.Zero);
        return new PresignedUrl(Encoding.ASCII.GetString(url.Written), expiresAt);
    }

    private bool IsReserved(string name)
    {
        foreach (string reserved in _reservedNames)
        {
            if (string.Equals(name, reserved, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
