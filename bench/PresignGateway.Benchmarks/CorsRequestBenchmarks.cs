using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using PresignGateway.Configuration;
using PresignGateway.Sites;

namespace PresignGateway.Benchmarks;

/// <summary>
/// What CORS adds to a download on a site that has it: nothing but a Vary header without Origin; the policy's
/// evaluation (ASP.NET Core's CorsService) with one; and a preflight's answer.
/// </summary>
[MemoryDiagnoser]
public class CorsRequestBenchmarks
{
    private const string Host = "downloads.example.com";

    private SiteCors _cors = null!;
    private DefaultHttpContext _withoutOrigin = null!;
    private DefaultHttpContext _withOrigin = null!;
    private DefaultHttpContext _preflight = null!;

    [GlobalSetup]
    public void Setup()
    {
        IConfiguration configuration = BenchmarkSettings.WithOssStore(new Dictionary<string, string?>
        {
            ["Gateway:Sites:downloads:Hosts:0"] = Host,
            ["Gateway:Sites:downloads:Store"] = BenchmarkSettings.StoreName,
            ["Gateway:Sites:downloads:Cors:AllowedOrigins:0"] = "https://app.example.com",
            ["Gateway:Sites:downloads:Cors:AllowedOrigins:1"] = "https://admin.example.com",
        });
        var options = new GatewayOptions();
        configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        SiteTable table = SiteTableBuilder.TryBuild(options, configuration, out IReadOnlyList<string> errors)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        _cors = table.Sites[0].Cors!;
        _withoutOrigin = Context(HttpMethods.Get, null);
        _withOrigin = Context(HttpMethods.Get, "https://app.example.com");
        _preflight = Context(HttpMethods.Options, "https://app.example.com");
        _preflight.Request.Headers.AccessControlRequestMethod = "GET";
        _preflight.Request.Headers.AccessControlRequestHeaders = "range";
    }

    [Benchmark]
    public void WithoutOrigin()
    {
        _withoutOrigin.Response.Headers.Clear();
        _cors.Apply(_withoutOrigin);
    }

    [Benchmark]
    public void WithOrigin()
    {
        _withOrigin.Response.Headers.Clear();
        _cors.ApplyNow(_withOrigin);
    }

    [Benchmark]
    public void Preflight()
    {
        _preflight.Response.Headers.Clear();
        _cors.ApplyNow(_preflight);
    }

    private static DefaultHttpContext Context(string method, string? origin)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Host = new HostString(Host);
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        return context;
    }
}
