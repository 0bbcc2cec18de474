using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using PresignGateway.Responses;

namespace PresignGateway.Benchmarks;

/// <summary>
/// One error answer (a 404, as in a flood of made-up names) through IProblemDetailsService: problem+json for curl,
/// the HTML page for a browser; against the baseline of problem+json built by hand and written straight to the
/// response, as the gateway did before errors went through the service.
/// </summary>
[MemoryDiagnoser]
public class ProblemResponseBenchmarks
{
    private const string Detail = "No object at this path.";

    private DefaultHttpContext _curl = null!;
    private DefaultHttpContext _browser = null!;

    [GlobalSetup]
    public void Setup()
    {
        IServiceProvider services = new ServiceCollection().AddGatewayProblems().BuildServiceProvider();
        _curl = NewContext(services, "*/*");
        _browser = NewContext(services, "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8");
    }

    [Benchmark(Baseline = true)]
    public Task HandWrittenJson()
    {
        HttpResponse response = _curl.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status404NotFound;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentType = "application/problem+json";
        string json = new StringBuilder(128)
            .Append("{\"type\":\"about:blank\",\"title\":").Append(System.Text.Json.JsonSerializer.Serialize(ReasonPhrases.GetReasonPhrase(404)))
            .Append(",\"status\":").Append(404)
            .Append(",\"detail\":").Append(System.Text.Json.JsonSerializer.Serialize(Detail))
            .Append('}').ToString();
        return response.WriteAsync(json);
    }

    [Benchmark]
    public Task ProblemJsonForCurl() => ProblemResponses.WriteAsync(_curl, StatusCodes.Status404NotFound, Detail);

    [Benchmark]
    public Task HtmlPageForBrowser() => ProblemResponses.WriteAsync(_browser, StatusCodes.Status404NotFound, Detail);

    private static DefaultHttpContext NewContext(IServiceProvider services, string accept)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Headers.Accept = accept;
        context.Response.Body = Stream.Null;
        return context;
    }
}
