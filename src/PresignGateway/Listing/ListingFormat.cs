using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace PresignGateway.Listing;

/// <summary>
/// HTML unless the client asks for JSON (<c>?format=json</c>) or prefers it (<c>Accept</c> ranks <c>application/json</c>
/// above <c>text/html</c>); <c>?format=html</c> forces HTML.
/// </summary>
internal static class ListingFormat
{
    public const string Parameter = "format";

    /// <summary>True for JSON; false with a problem when <c>format</c> is repeated or unknown.</summary>
    public static bool TryChoose(IQueryCollection query, StringValues accept, out bool json, out string? problem)
    {
        problem = null;
        json = false;
        StringValues format = query[Parameter];
        if (format.Count > 1)
        {
            problem = "The format parameter is repeated.";
            return false;
        }

        if (format.Count == 1)
        {
            json = string.Equals(format[0], "json", StringComparison.OrdinalIgnoreCase);
            if (!json && !string.Equals(format[0], "html", StringComparison.OrdinalIgnoreCase))
            {
                problem = "The format parameter must be json or html.";
                return false;
            }

            return true;
        }

        json = PrefersJson(accept);
        return true;
    }

    private static bool PrefersJson(StringValues accept)
    {
        bool mentionsJson = false;
        foreach (string? value in accept)
        {
            mentionsJson |= value is not null && value.Contains("json", StringComparison.OrdinalIgnoreCase);
        }

        if (!mentionsJson || !MediaTypeHeaderValue.TryParseList(accept, out IList<MediaTypeHeaderValue>? ranges))
        {
            return false;
        }

        double json = 0, html = 0;
        foreach (MediaTypeHeaderValue range in ranges)
        {
            double q = range.Quality ?? 1;
            if (range.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, q);
            }
            else if (range.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, q);
            }
        }

        return json > html;
    }
}
