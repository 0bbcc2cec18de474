using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using PresignGateway.Sites;

namespace PresignGateway.Protection;

/// <summary>The checks of a site's <see cref="SiteProtection"/>: origin secret, client networks, Referer and signed link, in that order.</summary>
internal static class SiteProtectionChecks
{
    /// <summary>Null when the request may go on, else the reason for a 403.</summary>
    public static string? Check(this SiteProtection protection, HttpContext context, string decodedPath, DateTimeOffset now)
    {
        if (protection.OriginSecretHeader is { } header && !HasOriginSecret(protection.OriginSecretHashes, context.Request.Headers[header]))
        {
            // Says nothing about the header's name or values: a prober learns only that the origin is closed.
            return "This site is served only through its CDN.";
        }

        if ((protection.AllowedNetworks.Length > 0 || protection.DeniedNetworks.Length > 0) && !IsClientAllowed(protection, context.Connection.RemoteIpAddress))
        {
            return "This address may not download from this site.";
        }

        if (protection.Referers is { } referers && !IsRefererAllowed(referers, protection.AllowEmptyReferer, context.Request.Headers.Referer))
        {
            return "Links to this site are not allowed from that page.";
        }

        return protection.RequiresSignedLinks ? CheckSignedLink(protection, context.Request.Query, context.Request.Host.Host, decodedPath, now) : null;
    }

    /// <summary>Verifies <c>expires</c> and <c>sig</c> against the host, the path and the honoured parameters (see <see cref="LinkSignature"/>).</summary>
    public static string? CheckSignedLink(this SiteProtection protection, IQueryCollection query, string host, string decodedPath, DateTimeOffset now)
    {
        StringValues expires = query["expires"];
        StringValues signature = query["sig"];
        if (expires.Count != 1 || signature.Count != 1)
        {
            return "This link must be signed (expires and sig).";
        }

        if (!long.TryParse(expires.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long expiresAt))
        {
            return "The link's expiry is not a Unix time.";
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Base64Url.DecodeFromChars(signature.ToString(), given, out _, out int length) != System.Buffers.OperationStatus.Done || length != given.Length)
        {
            return "The link's signature is not valid.";
        }

        if (LinkSignature.Message(host, decodedPath, expiresAt, query, out string? problem) is not { } message)
        {
            return problem;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (byte[] secret in protection.LinkSecrets)
        {
            HMACSHA256.HashData(secret, message, expected);
            // Constant-time: a mismatch takes as long wherever it is.
            if (CryptographicOperations.FixedTimeEquals(expected, given))
            {
                return now.ToUnixTimeSeconds() <= expiresAt ? null : "This link has expired.";
            }
        }

        // Also when the link was signed for another host or path, or a parameter was added, changed or dropped.
        return "The link's signature is not valid for this host, path and query.";
    }

    /// <summary>
    /// Compares SHA-256 hashes with <see cref="CryptographicOperations.FixedTimeEquals"/>: equal lengths always, so the
    /// time taken says nothing about how much of the value matched or how long the secret is.
    /// </summary>
    internal static bool HasOriginSecret(byte[][] secretHashes, StringValues given)
    {
        if (given.Count != 1 || given[0] is not { Length: > 0 } value)
        {
            return false;
        }

        int maxBytes = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = maxBytes > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[512];
            int length = System.Text.Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..length], hash);
            bool match = false;
            // Every value is compared, so which one matched (the old or the new) doesn't show in the time either.
            foreach (byte[] expected in secretHashes)
            {
                match |= CryptographicOperations.FixedTimeEquals(hash, expected);
            }

            return match;
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    private static bool IsClientAllowed(SiteProtection protection, IPAddress? address)
    {
        if (address is null)
        {
            return protection.AllowedNetworks.Length == 0 && protection.DeniedNetworks.Length == 0;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (IPNetwork network in protection.DeniedNetworks)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }

        if (protection.AllowedNetworks.Length == 0)
        {
            return true;
        }

        foreach (IPNetwork network in protection.AllowedNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRefererAllowed(string[] patterns, bool allowEmpty, StringValues referer)
    {
        if (StringValues.IsNullOrEmpty(referer))
        {
            return allowEmpty;
        }

        if (referer.Count != 1 || !Uri.TryCreate(referer.ToString(), UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
        {
            return false;
        }

        string host = uri.IdnHost;
        foreach (string pattern in patterns)
        {
            if (HostPattern.Matches(pattern, host))
            {
                return true;
            }
        }

        return false;
    }
}
