using System.Text;
using BenchmarkDotNet.Attributes;
using PresignGateway.Listing;

namespace PresignGateway.Benchmarks;

/// <summary>
/// Rendering one full listing page (1,000 entries: 50 folders, 950 files with sizes, dates and ETags) to the bytes
/// sent: the HTML page (escaping, percent-encoded links, UTF-8) and the JSON; and the HTML with every link signed, as
/// on a SignedLinks site (one HMAC per link).
/// </summary>
[MemoryDiagnoser]
public class ListingRenderBenchmarks
{
    private ListingView _view;
    private ListingView _signed;

    [GlobalSetup]
    public void Setup()
    {
        var modified = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        ListingEntry[] entries =
        [
            .. Enumerable.Range(0, 50).Select(i => new ListingEntry($"folder-{i:D3}", true, 0, null, null)),
            .. Enumerable.Range(0, 950).Select(i => new ListingEntry(
                i % 10 == 0 ? $"报告 {i} <draft> & notes.pdf" : $"app-1.4.{i}-linux-x86_64.tar.gz", false, 1_000_000L * i, modified, $"5b3c1a2e053d763e1b002cc607c5a0fe{i:D4}")),
        ];
        var page = new ListingPage(entries, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
        _view = new ListingView("/downloads/releases/1.4/", "/downloads/", page, "MXVlR2N4TFBSeDFUcg.AAAAAAAAAAAAAAAAAAAAAA", null);
        _signed = _view with { Signer = new ListingLinkSigner(Encoding.UTF8.GetBytes("fake-benchmark-link-secret-0001"), "dl.example.com", 1_900_000_000) };
    }

    [Benchmark(Baseline = true)]
    public byte[] Html() => ListingHtml.RenderUtf8(_view);

    [Benchmark]
    public byte[] Json() => ListingJson.Render(_view);

    [Benchmark]
    public byte[] HtmlSignedLinks() => ListingHtml.RenderUtf8(_signed);
}
