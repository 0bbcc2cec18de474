using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Cli;

/// <summary>The built executable as a user runs it: nothing but the URL on stdout, exit codes as documented.</summary>
public sealed class PresignProcessTests
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll");

    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["OSS_ACCESS_KEY_ID"] = "test-access-key-id",
        ["OSS_ACCESS_KEY_SECRET"] = "TestSecret/abc+123=xyz",
        // Even with verbose logging configured, the command must print only the URL.
        ["Logging__LogLevel__Default"] = "Trace",
    };

    [Fact]
    public async Task Executable_prints_only_the_url()
    {
        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet",
            [GatewayDll, "presign", "--provider", "oss-v4", "--endpoint", "http://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--key", "test.txt", "--expires", "3600", "--at", "2024-03-15T08:30:00Z"],
            Environment, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("", stderr);
        Assert.Equal(0, exitCode);
        Assert.Equal(
            "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/test.txt?x-oss-credential=test-access-key-id%2F20240315%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20240315T083000Z&x-oss-expires=3600&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=2c82d826bc0d758137866cc49350ef30fe0dcecdf1b3bda1c4ce3997adab4419\n",
            stdout);
    }

    [Fact]
    public async Task Readme_example_prints_the_url_readme_shows()
    {
        (int exitCode, string stdout, _) = await ProcessRunner.RunAsync(
            "dotnet",
            [GatewayDll, "presign", "--provider", "oss-v4", "--endpoint", "http://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--key", "test.txt", "--expires", "3600", "--at", "2024-03-15T08:30:00Z"],
            new Dictionary<string, string?> { ["OSS_ACCESS_KEY_ID"] = "test-access-key-id", ["OSS_ACCESS_KEY_SECRET"] = "TestSecret/abc+123=xyz" },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        string readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"), TestContext.Current.CancellationToken);
        Assert.Contains(stdout.TrimEnd('\n'), readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_reports_bad_input_with_exit_code_2()
    {
        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet",
            [GatewayDll, "presign", "--provider", "oss-v4", "--endpoint", "http://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--key", "test.txt", "--expires", "0"],
            Environment, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal("presign: The URL lifetime must be a whole number of seconds from 00:00:01 to 7.00:00:00 for OssV4 (got 00:00:00).\n", stderr);
    }

    [Fact]
    public async Task Executable_signs_a_batch_from_stdin()
    {
        (int exitCode, string stdout, _) = await ProcessRunner.RunAsync(
            "dotnet",
            [GatewayDll, "presign", "--provider", "oss-v1", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "examplebucket", "--keys-from", "-"],
            Environment, stdin: "a.txt\n报告/2024年度报告.pdf\n", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/%E6%8A%A5%E5%91%8A/2024", lines[1], StringComparison.Ordinal);
    }
}
