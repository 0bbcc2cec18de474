using System.Security.Cryptography;
using System.Text.Json;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Forwarding;

/// <summary>
/// Headless Debian Chromium (driven by tests/BrowserDownload with playwright-core) follows a stable link and saves
/// the file under its UTF-8 name, in proxy and redirect mode.
/// </summary>
public sealed class BrowserDownloadTests(PipelineGateway gateway) : IClassFixture<PipelineGateway>
{
    public static TheoryData<StoreKind, bool, string> Cases() => new()
    {
        { StoreKind.OssV4, false, "link" },
        { StoreKind.OssV1, true, "link" },
        { StoreKind.S3V4, false, "navigate" },
        { StoreKind.S3V4, true, "navigate" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Chromium_saves_the_file_under_its_utf8_name(StoreKind kind, bool redirect, string mode)
    {
        await ToolInstaller.EnsureNpmPackagesAsync(RepositoryPaths.BrowserDownload, "playwright-core");
        string key = $"browser/{Guid.NewGuid():N}/年度报告 2024 – résumé.pdf";
        byte[] content = RandomNumberGenerator.GetBytes(20_000);
        await gateway.Store.PutObjectAsync(TestSites.Bucket(kind), key, content, "application/pdf");
        using var directory = new TemporaryDirectory();
        string url = new Uri(gateway.Host.BaseAddress, TestSites.PathFor(kind, redirect, key)).AbsoluteUri;

        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "node", [Path.Combine(RepositoryPaths.BrowserDownload, "download.js"), "--url", url, "--out", directory.Path, "--mode", mode, "--timeout-ms", "45000"],
            timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, stderr);
        using JsonDocument result = JsonDocument.Parse(stdout);
        Assert.Equal("年度报告 2024 – résumé.pdf", result.RootElement.GetProperty("suggestedFilename").GetString());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(directory.Path, "年度报告 2024 – résumé.pdf"), TestContext.Current.CancellationToken));
    }
}
