using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace PresignGateway.Protection;

/// <summary>
/// A site's link protection, compiled from configuration: client networks, Referer allow-list and expiring signed
/// links. Each check is skipped when not configured.
/// </summary>
internal sealed class SiteProtection
{
    public static readonly SiteProtection None = new([], [], null, false, []);

    private readonly IPNetwork[] _allowed;
    private readonly IPNetwork[] _denied;
    private readonly string[]? _referers;
    private readonly bool _allowEmptyReferer;
    private readonly byte[][] _linkSecrets;

    public SiteProtection(IPNetwork[] allowed, IPNetwork[] denied, string[]? referers, bool allowEmptyReferer, byte[][] linkSecrets)
    {
        _allowed = allowed;
        _denied = denied;
        _referers = referers;
        _allowEmptyReferer = allowEmptyReferer;
        _linkSecrets = linkSecrets;
    }

    public bool RequiresSignedLinks => _linkSecrets.Length > 0;

    /// <summary>
    /// True when some clients are refused what others get (networks, Referers, signed links), so a shared cache must
    /// never store a success. A rate limit alone refuses no one for good, so it doesn't count.
    /// </summary>
    public bool RestrictsAccess => _allowed.Length > 0 || _denied.Length > 0 || _referers is not null || RequiresSignedLinks;

    /// <summary>Null when the request may go on, else the reason for a 403.</summary>
    public string? Check(HttpContext context, string decodedPath, DateTimeOffset now)
    {
        if ((_allowed.Length > 0 || _denied.Length > 0) && !IsClientAllowed(context.Connection.RemoteIpAddress))
        {
            return "This address may not download from this site.";
        }

        if (_referers is not null && !IsRefererAllowed(context.Request.Headers.Referer))
        {
            return "Links to this site are not allowed from that page.";
        }

        return RequiresSignedLinks ? CheckSignedLink(context.Request.Query, context.Request.Host.Host, decodedPath, now) : null;
    }

    /// <summary>Verifies <c>expires</c> and <c>sig</c> against the host, the path and the honoured parameters (see <see cref="LinkSignature"/>).</summary>
    internal string? CheckSignedLink(IQueryCollection query, string host, string decodedPath, DateTimeOffset now)
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
        foreach (byte[] secret in _linkSecrets)
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

    private bool IsClientAllowed(IPAddress? address)
    {
        if (address is null)
        {
            return _allowed.Length == 0 && _denied.Length == 0;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (IPNetwork network in _denied)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }

        if (_allowed.Length == 0)
        {
            return true;
        }

        foreach (IPNetwork network in _allowed)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsRefererAllowed(StringValues referer)
    {
        if (StringValues.IsNullOrEmpty(referer))
        {
            return _allowEmptyReferer;
        }

        if (referer.Count != 1 || !Uri.TryCreate(referer.ToString(), UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
        {
            return false;
        }

        string host = uri.IdnHost;
        foreach (string pattern in _referers!)
        {
            if (pattern == "*"
                || string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase)
                || (pattern.StartsWith("*.", StringComparison.Ordinal) && host.Length > pattern.Length - 1 && host.EndsWith(pattern.AsSpan(1), StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
