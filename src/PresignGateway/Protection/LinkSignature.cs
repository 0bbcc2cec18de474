using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PresignGateway.Signing;
using PresignGateway.Sites;

namespace PresignGateway.Protection;

/// <summary>
/// The signed-link MAC, shared by the gateway and the <c>sign-link</c> command: HMAC-SHA256, keyed with the UTF-8 of
/// the secret, over the UTF-8 of these lines, each ending in <c>\n</c>:
/// <code>
/// presign-gateway-link-v2
/// host            (as the client asks for it: lower-case, without port)
/// decoded path    (the raw path percent-decoded once)
/// expires         (Unix seconds)
/// name=value      (one line per value of every honoured parameter present, names in the order of
///                  <see cref="SignedParameters"/>, values decoded, repeated values in request order)
/// </code>
/// The parameters are the global set any site may honour, so signing needs no site configuration; one a link did not
/// sign changes the MAC, so adding <c>?inline</c> or <c>?versionId=</c> to a link breaks it.
/// </summary>
internal static class LinkSignature
{
    /// <summary>The first line: a new format gets a new tag, so a link of the old one never verifies by accident.</summary>
    public const string Version = "presign-gateway-link-v2";

    /// <summary>Every query parameter the gateway honours on some site, sorted by ordinal name: the signed order.</summary>
    public static readonly string[] SignedParameters =
        [ClientQueryNames.Download, ClientQueryNames.FileName, ClientQueryNames.Inline, ClientQueryNames.VersionId, ClientQueryNames.ImageProcess];

    /// <summary>The UTF-8 message to MAC, or null with a reason when a part has a control character (lines must stay lines).</summary>
    public static byte[]? Message(string host, string decodedPath, long expiresAt, IQueryCollection query, out string? problem)
    {
        if (TextRules.HasControlCharacter(host) || TextRules.HasControlCharacter(decodedPath))
        {
            problem = "The link's host or path contains a control character.";
            return null;
        }

        var text = new StringBuilder(Version.Length + host.Length + decodedPath.Length + 32)
            .Append(Version).Append('\n')
            .Append(host.ToLowerInvariant()).Append('\n')
            .Append(decodedPath).Append('\n')
            .Append(expiresAt.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (string name in SignedParameters)
        {
            // The lookup is the resolver's own: case-insensitive, so '?VersionId=' is signed as what it is honoured as.
            foreach (string? value in query[name])
            {
                if (TextRules.HasControlCharacter(value))
                {
                    problem = $"The link's {name} parameter contains a control character.";
                    return null;
                }

                text.Append(name).Append('=').Append(value).Append('\n');
            }
        }

        problem = null;
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The <c>expires=...&amp;sig=...</c> to append to a link's query, signature in base64url.</summary>
    public static string QueryFor(byte[] secret, string host, string decodedPath, long expiresAt, IQueryCollection query)
    {
        byte[] message = Message(host, decodedPath, expiresAt, query, out string? problem) ?? throw new ArgumentException(problem, nameof(query));
        return string.Create(CultureInfo.InvariantCulture, $"expires={expiresAt}&sig={Base64Url.EncodeToString(HMACSHA256.HashData(secret, message))}");
    }
}
