using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using PresignGateway.Configuration;
using PresignGateway.Responses;
using PresignGateway.Sites;

namespace PresignGateway.Benchmarks;

/// <summary>
/// The per-request work before the cache: host + path -> site, key and download name, and the Content-Disposition
/// value (formatted once per name, then remembered).
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private const string Host = "downloads.example.com";
    private const string ReportName = "年度报告 2024 – résumé.pdf";

    private readonly ContentDispositionCache _dispositions = new();
    private SiteTable _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        IConfiguration configuration = BenchmarkSettings.WithOssStore(new Dictionary<string, string?>
        {
            ["Gateway:Sites:other:Hosts:0"] = "*.example.net",
            ["Gateway:Sites:other:Store"] = BenchmarkSettings.StoreName,
            ["Gateway:Sites:downloads:Hosts:0"] = Host,
            ["Gateway:Sites:downloads:PathPrefix"] = "/files",
            ["Gateway:Sites:downloads:KeyPrefix"] = "public/",
            ["Gateway:Sites:downloads:Store"] = BenchmarkSettings.StoreName,
            ["Gateway:Sites:latest:Hosts:0"] = Host,
            ["Gateway:Sites:latest:PathPrefix"] = "/latest",
            ["Gateway:Sites:latest:Store"] = BenchmarkSettings.StoreName,
            ["Gateway:Sites:latest:Aliases:/latest/app.zip:Key"] = "releases/1.4.2/app-1.4.2.zip",
            ["Gateway:Sites:latest:Aliases:/latest/app.zip:FileName"] = "app.zip",
        });
        var options = new GatewayOptions();
        configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        _table = SiteTableBuilder.TryBuild(options, configuration, out IReadOnlyList<string> errors)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        _dispositions.Format(DispositionType.Attachment, ReportName);
    }

    [Benchmark]
    public string ResolvePrefixPath() => Resolve("/files/reports/2024/%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf");

    [Benchmark]
    public string ResolveAlias() => Resolve("/latest/app.zip");

    [Benchmark]
    public string FormatContentDisposition() => ContentDispositionFormatter.Format(DispositionType.Attachment, ReportName);

    [Benchmark]
    public string RememberedContentDisposition() => _dispositions.Format(DispositionType.Attachment, ReportName);

    private string Resolve(string rawTarget) =>
        DownloadResolver.TryResolve(_table, Host, rawTarget, QueryCollection.Empty, out DownloadPlan plan, out _, out string detail)
            ? plan.Key
            : throw new InvalidOperationException(detail);
}
