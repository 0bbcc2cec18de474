namespace PresignGateway.Tests.Infrastructure;

/// <summary>Finds folders of the repository from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestStore => Path.Combine(Root, "tests", "TestStore");

    public static string BrowserDownload => Path.Combine(Root, "tests", "BrowserDownload");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PresignGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No PresignGateway.sln above {AppContext.BaseDirectory}.");
    }
}
