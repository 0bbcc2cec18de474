using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PresignGateway.Responses;

namespace PresignGateway.Tests.Responses;

/// <summary>Problem answers: short problem+json, never cached, nothing of an earlier response left behind.</summary>
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

    private static (DefaultHttpContext Context, MemoryStream Body) NewContext(string method)
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestAborted = TestContext.Current.CancellationToken };
        context.Request.Method = method;
        context.Response.Body = body;
        return (context, body);
    }
}
