using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace PresignGateway.Responses;

/// <summary>
/// Whether an error goes out as an HTML page or as problem+json: HTML only when the client's <c>Accept</c> ranks
/// <c>text/html</c> strictly above JSON, as browsers' navigation requests do
/// (<c>text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8</c>). A tie (<c>*/*</c>), no header, or a header
/// that doesn't parse keeps JSON, so scripts and tools see what they always saw.
/// </summary>
internal static class ProblemNegotiation
{
    private static readonly StringSegment Text = new("text");
    private static readonly StringSegment Html = new("html");
    private static readonly StringSegment Application = new("application");
    private static readonly StringSegment Json = new("json");
    private static readonly StringSegment ProblemJson = new("problem+json");

    public static bool PrefersHtml(StringValues accept)
    {
        // Most clients that aren't browsers never mention HTML: decide without parsing the header.
        if (!MentionsHtml(accept) || !MediaTypeHeaderValue.TryParseList(accept, out IList<MediaTypeHeaderValue>? ranges))
        {
            return false;
        }

        return Quality(ranges, Text, Html) > Math.Max(Quality(ranges, Application, Json), Quality(ranges, Application, ProblemJson));
    }

    private static bool MentionsHtml(StringValues accept)
    {
        foreach (string? value in accept)
        {
            // "text/*" asks for HTML as much as "text/html" does.
            if (value is not null && (value.Contains("html", StringComparison.OrdinalIgnoreCase) || value.Contains("text/*", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The quality the most specific matching range gives the type (RFC 9110, 12.5.1); 0 when none matches.</summary>
    private static double Quality(IList<MediaTypeHeaderValue> ranges, StringSegment type, StringSegment subType)
    {
        int bestSpecificity = -1;
        double quality = 0;
        foreach (MediaTypeHeaderValue range in ranges)
        {
            int specificity;
            if (range.MatchesAllTypes)
            {
                specificity = 0;
            }
            else if (!StringSegment.Equals(range.Type, type, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            else if (range.MatchesAllSubTypes)
            {
                specificity = 1;
            }
            else if (StringSegment.Equals(range.SubType, subType, StringComparison.OrdinalIgnoreCase))
            {
                specificity = 2;
            }
            else
            {
                continue;
            }

            double q = range.Quality ?? 1;
            if (specificity > bestSpecificity || (specificity == bestSpecificity && q > quality))
            {
                bestSpecificity = specificity;
                quality = q;
            }
        }

        return quality;
    }
}
