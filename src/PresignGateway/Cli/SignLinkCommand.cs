using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using PresignGateway.Protection;
using PresignGateway.Sites;

namespace PresignGateway.Cli;

/// <summary>
/// <c>PresignGateway sign-link --url URL [--expires-in SECONDS] [--at INSTANT]</c>: prints an expiring link for a site
/// with <c>Protection:SignedLinks</c>, signed with the secret in <c>GATEWAY_LINK_SECRET</c> (the site's first secret).
/// The signature binds the URL's host, path and every honoured query parameter it carries (see <see cref="LinkSignature"/>).
/// Same output contract as <c>presign</c>: the link alone on stdout, or one line on stderr and exit code 2.
/// </summary>
internal static class SignLinkCommand
{
    public const string Usage =
        """
        Usage: PresignGateway sign-link --url https://downloads.example.com/private/report.pdf [--expires-in SECONDS] [--at 2024-03-15T08:30:00Z]
        The secret comes from GATEWAY_LINK_SECRET; --expires-in defaults to 3600; --at fixes the signing instant (default: now).
        The link is bound to the URL's host and path and to the parameters it carries (filename, download, inline, versionId, x-oss-process).
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, TimeProvider time)
    {
        if (args is ["--help"] or ["-h"])
        {
            stdout.WriteLine(Usage);
            return PresignCommand.Success;
        }

        try
        {
            (string url, long expiresIn, DateTimeOffset? at) = Parse(args);
            string secret = environment("GATEWAY_LINK_SECRET") is { Length: >= 16 } value
                ? value
                : throw new CommandLineException("GATEWAY_LINK_SECRET is not set or shorter than 16 characters: set it to one of the site's Protection:SignedLinks:Secrets.");
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Fragment.Length > 0)
            {
                throw new CommandLineException($"--url must be an absolute http or https link without a fragment (got '{url}').");
            }

            // Sign what the gateway will see: the host the client asks for, the raw path decoded once, and the
            // query as ASP.NET decodes it (the gateway reads the same parameters from Request.Query).
            string rawPath = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
            rawPath = rawPath.IndexOfAny(['/', '?']) is int slash and >= 0 && rawPath[slash] == '/' ? rawPath[slash..] : "/";
            if (!RequestPath.TryDecode(RequestPath.PathOf(rawPath), out string decodedPath, out string? error))
            {
                throw new CommandLineException($"--url: {error}");
            }

            int queryStart = url.IndexOf('?', StringComparison.Ordinal);
            var query = new QueryCollection(QueryHelpers.ParseQuery(queryStart < 0 ? null : url[queryStart..]));
            if (query.ContainsKey("expires") || query.ContainsKey("sig"))
            {
                throw new CommandLineException("--url already carries expires or sig: give the link without them.");
            }

            // Kestrel's Host keeps an IPv6 literal's brackets; a name is sent in its IDN (punycode) form.
            string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
            long expiresAt = (at ?? time.GetUtcNow()).ToUnixTimeSeconds() + expiresIn;
            if (LinkSignature.Message(host, decodedPath, expiresAt, query, out string? problem) is null)
            {
                throw new CommandLineException($"--url: {problem}");
            }

            string signed = LinkSignature.QueryFor(Encoding.UTF8.GetBytes(secret), host, decodedPath, expiresAt, query);
            stdout.Write(url + (queryStart < 0 ? "?" : url.EndsWith('?') || url.EndsWith('&') ? "" : "&") + signed + "\n");
            stdout.Flush();
            return PresignCommand.Success;
        }
        catch (CommandLineException e)
        {
            stderr.WriteLine("sign-link: " + e.Message.ReplaceLineEndings(" "));
            return PresignCommand.UsageError;
        }
    }

    private static (string Url, long ExpiresIn, DateTimeOffset? At) Parse(IReadOnlyList<string> args)
    {
        string? url = null;
        long expiresIn = 3600;
        DateTimeOffset? at = null;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new CommandLineException($"{name} needs a value.");
            switch (name)
            {
                case "--url":
                    url = Value();
                    break;
                case "--expires-in":
                    string seconds = Value();
                    expiresIn = long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) && parsed is > 0 and <= 31_536_000
                        ? parsed
                        : throw new CommandLineException($"--expires-in must be whole seconds from 1 to 31536000 (got '{seconds}').");
                    break;
                case "--at":
                    string instant = Value();
                    at = DateTimeOffset.TryParse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value)
                        ? value
                        : throw new CommandLineException($"--at must be an ISO-8601 instant such as 2024-03-15T08:30:00Z (got '{instant}').");
                    break;
                default:
                    throw new CommandLineException($"Unknown argument '{name}'. Run 'PresignGateway sign-link --help' for the options.");
            }
        }

        return (url ?? throw new CommandLineException("--url is required."), expiresIn, at);
    }
}
