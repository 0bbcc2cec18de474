using Microsoft.Extensions.Primitives;
using PresignGateway.Responses;

namespace PresignGateway.Tests.Responses;

/// <summary>HTML only when the Accept header ranks text/html strictly above JSON; every other client keeps problem+json.</summary>
public sealed class ProblemNegotiationTests
{
    public static TheoryData<string?, bool> Cases() => new()
    {
        // Browsers' navigation requests.
        { "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7", true },
        { "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true },
        { "TEXT/HTML", true },
        { "text/*", true },
        { "text/html, application/json;q=0.9", true },
        { "application/json;q=0.5, text/html;q=0.6", true },
        // curl, wget, HttpClient, scripts.
        { null, false },
        { "", false },
        { "*/*", false },
        { "application/json", false },
        { "application/problem+json", false },
        { "application/json, text/html", false },
        { "text/html, */*", false },
        { "text/html;q=0.8, application/*", false },
        { "text/html;q=0.5, application/json", false },
        { "text/html;q=0.9, application/problem+json", false },
        { "text/html;q=0", false },
        { "text/plain, */*;q=0.1", false },
        { "image/avif,image/webp,*/*;q=0.8", false },
        { "application/xhtml+xml", false },
        // Unparsable: JSON.
        { "text/html;q=abc;;,,==", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Html_only_when_ranked_above_json(string? accept, bool html)
        => Assert.Equal(html, ProblemNegotiation.PrefersHtml(accept is null ? StringValues.Empty : new StringValues(accept)));

    [Fact]
    public void Several_accept_headers_count_together()
        => Assert.True(ProblemNegotiation.PrefersHtml(new StringValues(["text/html", "*/*;q=0.8"])));
}
