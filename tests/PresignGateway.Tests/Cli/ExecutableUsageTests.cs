using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests.Cli;

/// <summary><c>--help</c> and <c>--version</c> of the built executable: usage for all of it, exit 0, and no server started.</summary>
public sealed class ExecutableUsageTests
{
    private static readonly string GatewayDll = Path.Combine(AppContext.BaseDirectory, "PresignGateway.dll");

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_usage_for_the_server_and_both_commands_and_exits_0(string flag)
    {
        // A listen address that would be taken if a server started: the command must return at once, not listen.
        int port = Hosting.GatewayProcessTests.FreePort();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        (int exitCode, string stdout, string stderr) = await ProcessRunner.RunAsync(
            "dotnet", [GatewayDll, flag], new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, cancellationToken: timeout.Token);

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        Assert.StartsWith("PresignGateway: ", stdout, StringComparison.Ordinal);
        Assert.Contains("PresignGateway [--config FILE]", stdout, StringComparison.Ordinal);
        Assert.Contains("PresignGateway presign --provider", stdout, StringComparison.Ordinal);
        Assert.Contains("PresignGateway sign-link --url", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_one_line_and_exits_0()
    {
        (int exitCode, string stdout, _) = await ProcessRunner.RunAsync("dotnet", [GatewayDll, "--version"], new Dictionary<string, string?>(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^PresignGateway \d+\.\d+\.\d+\S*\n$", stdout);
    }
}
