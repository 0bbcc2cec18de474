using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PresignGateway.Responses;

namespace PresignGateway.Tests.Responses;

/// <summary>
/// Problem answers: short problem+json, or a small HTML page for a browser, never cached, nothing of an earlier
/// response left behind.
/// </summary>
public sealed class ProblemResponsesTests
{
    [Theory]
    [InlineData(400, "Bad Request", "The path has a '.' or '..' segment.")]
    [InlineData(404, "Not Found", "No site serves this host and path.")]
    [InlineData(502, "Bad Gateway", "The store answered \"unexpectedly\" <here>.")]
    public async Task Problem_is_json_with_status_title_and_detail(int status, string title, string detail)
    {
        (DefaultHttpContext context, MemoryStream body) = NewContext("GET");

        await ProblemResponses.WriteAsync(context, status, detail);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions.ToString());
        Assert.False(context.Response.Headers.ContainsKey("Allow"));
        using JsonDocument json = JsonDocument.Parse(body.ToArray());
        Assert.Equal("about:blank", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(detail, json.RootElement.GetProperty("detail").GetString());
        Assert.Equal(4, json.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task Method_not_allowed_lists_get_and_head()
    {
        (DefaultHttpContext context, _) = NewContext("POST");

        await ProblemResponses.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Only GET and HEAD.");

        Assert.Equal("GET, HEAD", context.Response.Headers.Allow.ToString());
    }

    [Fact]
    public async Task Head_gets_the_headers_without_a_body()
    {
        (DefaultHttpContext context, MemoryStream body) = NewContext("HEAD");

        await ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "No site serves this host and path.");

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task Headers_set_before_the_problem_are_cleared()
    {
        (DefaultHttpContext context, _) = NewContext("GET");
        context.Response.Headers.ETag = "\"abc\"";
        context.Response.Headers.ContentDisposition = "attachment; filename=a.txt";
        context.Response.Headers.CacheControl = "public, max-age=86400";
        context.Response.Headers["x-oss-request-id"] = "leak";

        await ProblemResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "The store did not answer.");

        Assert.False(context.Response.Headers.ContainsKey("ETag"));
        Assert.False(context.Response.Headers.ContainsKey("Content-Disposition"));
        Assert.False(context.Response.Headers.ContainsKey("x-oss-request-id"));
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
    }

    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private static readonly IServiceProvider Services = new ServiceCollection().AddGatewayProblems().BuildServiceProvider();

    [Theory]
    [InlineData(404, "Not Found", "No object at this path.")]
    [InlineData(429, "Too Many Requests", "Too many requests; try again later.")]
    [InlineData(502, "Bad Gateway", "The storage service failed to answer.")]
    public async Task A_browser_gets_a_small_self_contained_page(int status, string title, string detail)
    {
        (DefaultHttpContext context, MemoryStream body) = NewContext("GET", BrowserAccept);

        await ProblemResponses.WriteAsync(context, status, detail);

        HttpResponse response = context.Response;
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.ContentType);
        Assert.Equal("no-store", response.Headers.CacheControl.ToString());
        Assert.Equal("nosniff", response.Headers.XContentTypeOptions.ToString());
        string csp = response.Headers.ContentSecurityPolicy.ToString();
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        string page = Encoding.UTF8.GetString(body.ToArray());
        Assert.Equal(body.Length, response.ContentLength);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", page, StringComparison.Ordinal);
        Assert.Contains($"<title>{status} {title}</title>", page, StringComparison.Ordinal);
        Assert.Contains($"<h1>{status} {title}</h1>", page, StringComparison.Ordinal);
        Assert.Contains($"<p>{detail}</p>", page.Replace("&#x27;", "'", StringComparison.Ordinal), StringComparison.Ordinal);
        // Nothing to load: no links, scripts, images or URLs of any kind.
        foreach (string loads in new[] { "http:", "https:", "//", "src=", "href=", "<script", "<link", "<img", "url(" })
        {
            Assert.DoesNotContain(loads, page, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void The_style_is_allowed_by_its_hash()
    {
        string page = ProblemPageWriter.Render(404, "Not Found", "x");
        int start = page.IndexOf("<style>", StringComparison.Ordinal) + "<style>".Length;
        string style = page[start..page.IndexOf("</style>", start, StringComparison.Ordinal)];
        string hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(style)));

        Assert.Contains($"style-src 'sha256-{hash}'", ProblemPageWriter.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    [InlineData("</p></body><style>*{}</style>")]
    [InlineData("a & b ' \" < >")]
    public void Page_text_is_html_encoded(string hostile)
    {
        string page = ProblemPageWriter.Render(400, hostile, hostile);

        Assert.DoesNotContain(hostile, page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "<style>"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "<p>"));
        Assert.Contains("<p>" + System.Net.WebUtility.HtmlEncode(hostile).Replace("&#39;", "&#x27;", StringComparison.Ordinal) + "</p>", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("application/json")]
    [InlineData("image/webp,*/*;q=0.8")]
    public async Task Every_other_client_gets_problem_json(string? accept)
    {
        (DefaultHttpContext context, MemoryStream body) = NewContext("GET", accept);

        await ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "No object at this path.");

        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.False(context.Response.Headers.ContainsKey("Content-Security-Policy"));
        using JsonDocument json = JsonDocument.Parse(body.ToArray());
        Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(body.Length, context.Response.ContentLength);
    }

    [Fact]
    public async Task Head_from_a_browser_gets_the_page_headers_without_a_body()
    {
        (DefaultHttpContext context, MemoryStream body) = NewContext("HEAD", BrowserAccept);

        await ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "No object at this path.");

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", context.Response.ContentType);
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        Assert.Equal(0, body.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(BrowserAccept)]
    public async Task Range_not_satisfiable_has_a_body_and_keeps_the_size(string? accept)
    {
        (DefaultHttpContext context, MemoryStream body) = NewContext("GET", accept);
        context.Response.Headers.ETag = "\"abc\"";

        await ProblemResponses.WriteRangeNotSatisfiableAsync(context, "bytes */1000");

        Assert.Equal(416, context.Response.StatusCode);
        Assert.Equal("bytes */1000", context.Response.Headers.ContentRange.ToString());
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        Assert.False(context.Response.Headers.ContainsKey("ETag"));
        Assert.True(body.Length > 0);
        Assert.Contains("Range Not Satisfiable", Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
    }

    private static (DefaultHttpContext Context, MemoryStream Body) NewContext(string method, string? accept = null)
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestAborted = TestContext.Current.CancellationToken, RequestServices = Services };
        context.Request.Method = method;
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        context.Response.Body = body;
        return (context, body);
    }
}
