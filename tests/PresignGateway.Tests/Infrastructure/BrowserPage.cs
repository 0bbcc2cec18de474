using System.Text.Json;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// Opens a URL in headless Chromium through tests/BrowserDownload/page.js and returns what the page showed: status,
/// content type, lang, title, text, links, table headers, console errors and every request the page made (see that
/// folder's README for the fields).
/// </summary>
internal static class BrowserPage
{
    /// <param name="screenshot">Also saves a full-page PNG there.</param>
    public static async Task<JsonDocument> ShowAsync(string url, string? screenshot = null)
    {
        await ToolInstaller.EnsureNpmPackagesAsync(RepositoryPaths.BrowserDownload, "playwright-core");
        List<string> arguments = [Path.Combine(RepositoryPaths.BrowserDownload, "page.js"), "--url", url, "--timeout-ms", "45000"];
        if (screenshot is not null)
        {
            arguments.AddRange(["--screenshot", screenshot]);
        }

        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "node", arguments, timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(exitCode == 0, stderr);
        return JsonDocument.Parse(stdout);
    }
}
