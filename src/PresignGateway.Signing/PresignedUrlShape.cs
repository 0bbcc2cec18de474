using System.Buffers;
using System.Globalization;
using System.Text;

namespace PresignGateway.Signing;

/// <summary>
/// Checks, without signing, that a URL has exactly the shape a presigner gives for a request: the same scheme, host
/// and encoded path, and a query made of the scheme's own parameters (algorithm, credential, date, lifetime or
/// expiry, signature, security token) and the request's signed overrides, each once and nothing else. It can't prove
/// the signature is right (only the store can); it proves a URL goes where ours go and expires when it says.
/// </summary>
public static class PresignedUrlShape
{
    private const int FixedOverhead = 256;

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private enum Rule : byte
    {
        /// <summary>The whole <c>name=value</c> is known.</summary>
        Exact,

        /// <summary>V4 credential: <c>id/yyyyMMdd/region/service/terminator</c>, the day matching the date.</summary>
        Credential,

        /// <summary>V4 signing time, <c>yyyyMMdd'T'HHmmss'Z'</c>.</summary>
        Date,

        /// <summary>V4 lifetime in seconds: the request's.</summary>
        LifetimeSeconds,

        /// <summary>V1 absolute expiry in Unix seconds.</summary>
        UnixExpiry,

        /// <summary>V4 signature: 64 lowercase hex digits.</summary>
        HexSignature,

        /// <summary>V1 signature: percent-encoded Base64 of an HMAC-SHA1.</summary>
        EncodedBase64Signature,
    }

    /// <summary>
    /// True when <paramref name="url"/> is shaped as <paramref name="scheme"/> presigns <paramref name="request"/> and expires at
    /// <paramref name="expiresAt"/>; the request's lifetime is the longest allowed (temporary keys cut it to the life they have left).
    /// </summary>
    public static bool Matches(
        SigningScheme scheme, BucketLocation location, in PresignRequest request, Credentials credentials, string url, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(url);
        IReadOnlyList<QueryParameter> query = request.Query;
        // Bucket-level URLs (listings) are never shared between gateways, so none is accepted as one of ours.
        if (request.IsBucketRequest || request.Key is null || query.Count > PresignValidation.MaxQueryParameters || StoreProviders.TryGet(scheme) is not { } provider)
        {
            return false;
        }

        int textLength = request.Key.Length + credentials.AccessKeyId.Length + (credentials.SecurityToken?.Length ?? 0) + location.Region.Length;
        for (int i = 0; i < query.Count; i++)
        {
            textLength += query[i].Name.Length + query[i].Value.Length;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(location.MaxObjectUrlBytes(0) + (textLength * UriEncoding.MaxEncodedBytesPerChar) + FixedOverhead);
        try
        {
            return Check(provider.V4, location, request, credentials, url, expiresAt, rented);
        }
        catch (InvalidPresignRequestException)
        {
            // A key or value that can't be encoded (a lone surrogate) was never signed.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <param name="dialect">The V4 form's names, or null for the OSS V1 form.</param>
    private static bool Check(
        V4Dialect? dialect, BucketLocation location, in PresignRequest request, Credentials credentials, string url, DateTimeOffset expiresAt, Span<byte> buffer)
    {
        // 1. Everything before the query, byte for byte.
        var scratch = new Utf8Writer(buffer);
        scratch.Advance(location.WriteObjectUrl(request.Key, scratch.Remaining));
        int pathLength = scratch.Position;
        if (url.Length <= pathLength || url[pathLength] != '?' || !Ascii.Equals(scratch.Written, url.AsSpan(0, pathLength)))
        {
            return false;
        }

        // 2. What the query must hold: exact name=value pairs, or a name= whose value follows a rule.
        IReadOnlyList<QueryParameter> query = request.Query;
        Span<Expected> expected = stackalloc Expected[query.Count + 8];
        int count = 0;
        bool equalsForEmptyValue = dialect?.EqualsForEmptyValue ?? false;
        for (int i = 0; i < query.Count; i++)
        {
            int start = scratch.Position;
            scratch.AppendEncoded(query[i].Name);
            if (query[i].Value.Length > 0 || equalsForEmptyValue)
            {
                scratch.Append((byte)'=');
                scratch.AppendEncoded(query[i].Value);
            }

            expected[count++] = new Expected(start, scratch.Position - start, Rule.Exact);
        }

        int credentialPrefixStart = 0, credentialPrefixLength = 0, credentialSuffixStart = 0, credentialSuffixLength = 0;
        if (dialect is null)
        {
            expected[count++] = Add(ref scratch, OssV1Presigner.AccessKeyIdParameter, credentials.AccessKeyId, Rule.Exact);
            expected[count++] = Add(ref scratch, OssV1Presigner.ExpiresParameter, null, Rule.UnixExpiry);
            expected[count++] = Add(ref scratch, OssV1Presigner.SignatureParameter, null, Rule.EncodedBase64Signature);
            if (credentials.SecurityToken is { } token)
            {
                expected[count++] = Add(ref scratch, OssV1Presigner.SecurityTokenParameter, token, Rule.Exact);
            }
        }
        else
        {
            expected[count++] = Add(ref scratch, dialect.AlgorithmParameter, dialect.Algorithm, Rule.Exact);
            expected[count++] = Add(ref scratch, dialect.CredentialParameter, null, Rule.Credential);
            expected[count++] = Add(ref scratch, dialect.DateParameter, null, Rule.Date);
            expected[count++] = Add(ref scratch, dialect.ExpiresParameter, null, Rule.LifetimeSeconds);
            expected[count++] = Add(ref scratch, dialect.SignatureParameter, null, Rule.HexSignature);
            if (dialect.SignedHeadersParameter is { } signedHeaders)
            {
                expected[count++] = Add(ref scratch, signedHeaders, "host", Rule.Exact);
            }

            if (credentials.SecurityToken is { } token)
            {
                expected[count++] = Add(ref scratch, dialect.SecurityTokenParameter, token, Rule.Exact);
            }

            credentialPrefixStart = scratch.Position;
            scratch.AppendEncoded(credentials.AccessKeyId);
            scratch.Append("%2F"u8);
            credentialPrefixLength = scratch.Position - credentialPrefixStart;
            credentialSuffixStart = scratch.Position;
            scratch.Append("%2F"u8);
            scratch.AppendEncoded(location.Region);
            scratch.Append("%2F"u8);
            scratch.AppendEncoded(dialect.Service);
            scratch.Append("%2F"u8);
            scratch.AppendEncoded(dialect.Terminator);
            credentialSuffixLength = scratch.Position - credentialSuffixStart;
        }

        // 3. Walk the query once: every pair must be expected, and none twice.
        ReadOnlySpan<byte> bytes = buffer;
        ulong seen = 0;
        ReadOnlySpan<char> date = default, credentialDay = default;
        long signedLifetime = 0;
        ReadOnlySpan<char> rest = url.AsSpan(pathLength + 1);
        while (true)
        {
            int end = rest.IndexOf('&');
            ReadOnlySpan<char> pair = end < 0 ? rest : rest[..end];
            int match = -1;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> known = bytes.Slice(expected[i].Start, expected[i].Length);
                if (expected[i].Rule == Rule.Exact ? Ascii.Equals(known, pair) : pair.Length > known.Length && Ascii.Equals(known, pair[..known.Length]))
                {
                    match = i;
                    break;
                }
            }

            if (match < 0 || (seen & (1UL << match)) != 0)
            {
                return false;
            }

            seen |= 1UL << match;
            ReadOnlySpan<char> value = pair[expected[match].Length..];
            switch (expected[match].Rule)
            {
                case Rule.Credential:
                    int dayStart = credentialPrefixLength;
                    if (value.Length != credentialPrefixLength + 8 + credentialSuffixLength
                        || !Ascii.Equals(bytes.Slice(credentialPrefixStart, credentialPrefixLength), value[..dayStart])
                        || !Ascii.Equals(bytes.Slice(credentialSuffixStart, credentialSuffixLength), value[(dayStart + 8)..]))
                    {
                        return false;
                    }

                    credentialDay = value.Slice(dayStart, 8);
                    break;
                case Rule.Date:
                    date = value;
                    break;
                case Rule.LifetimeSeconds:
                    // At most the request's lifetime: a URL signed with temporary keys is cut to the life they had left.
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out signedLifetime) || signedLifetime < 1 || signedLifetime > (long)request.Lifetime.TotalSeconds)
                    {
                        return false;
                    }

                    break;
                case Rule.UnixExpiry:
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long expires) || expires != expiresAt.ToUnixTimeSeconds())
                    {
                        return false;
                    }

                    break;
                case Rule.HexSignature:
                    if (value.Length != 64 || value.ContainsAnyExcept(LowerHex))
                    {
                        return false;
                    }

                    break;
                case Rule.EncodedBase64Signature:
                    if (!IsEncodedSha1Base64(value))
                    {
                        return false;
                    }

                    break;
            }

            if (end < 0)
            {
                break;
            }

            rest = rest[(end + 1)..];
        }

        if (seen != (1UL << count) - 1)
        {
            return false;
        }

        // 4. V4: the credential's day is the signing day, and signing time + lifetime is the claimed expiry.
        if (dialect is not null)
        {
            if (!DateTime.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime signed)
                || !credentialDay.SequenceEqual(date[..8])
                || new DateTimeOffset(signed, TimeSpan.Zero).AddSeconds(signedLifetime) != expiresAt)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Base64 of 20 bytes (27 characters and one '=') as the V1 signer writes it: '+', '/' and '=' as %2B, %2F, %3D.</summary>
    private static bool IsEncodedSha1Base64(ReadOnlySpan<char> value)
    {
        if (!value.EndsWith("%3D") || value.Length > 27 * 3 + 3)
        {
            return false;
        }

        int characters = 0;
        ReadOnlySpan<char> rest = value[..^3];
        while (!rest.IsEmpty)
        {
            if (rest[0] == '%')
            {
                if (!rest.StartsWith("%2B") && !rest.StartsWith("%2F"))
                {
                    return false;
                }

                rest = rest[3..];
            }
            else if (char.IsAsciiLetterOrDigit(rest[0]))
            {
                rest = rest[1..];
            }
            else
            {
                return false;
            }

            characters++;
        }

        return characters == 27;
    }

    /// <summary>Writes <c>name=</c> (an ASCII name that needs no encoding) and the encoded value if known.</summary>
    private static Expected Add(ref Utf8Writer scratch, string name, string? value, Rule rule)
    {
        int start = scratch.Position;
        scratch.AppendAscii(name);
        scratch.Append((byte)'=');
        if (value is not null)
        {
            scratch.AppendEncoded(value);
        }

        return new Expected(start, scratch.Position - start, rule);
    }

    private readonly record struct Expected(int Start, int Length, Rule Rule);
}
