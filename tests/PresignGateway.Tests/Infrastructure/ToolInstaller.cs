namespace PresignGateway.Tests.Infrastructure;

/// <summary>Runs <c>npm ci</c> in a test tool's folder when its packages are missing (tests/run.sh normally did it).</summary>
internal static class ToolInstaller
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureNpmPackagesAsync(string folder, string probePackage)
    {
        await Gate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", probePackage)))
            {
                return;
            }

            (int exitCode, _, string stderr) = await ProcessRunner.RunAsync(
                "npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], workingDirectory: folder, timeout: TimeSpan.FromMinutes(5));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {folder} failed: {stderr}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
