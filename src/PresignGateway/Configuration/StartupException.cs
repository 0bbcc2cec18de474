namespace PresignGateway.Configuration;

/// <summary>
/// Start-up can't go on: the configuration has these problems, each naming the setting (or file) and what to do.
/// Program prints them as one message and exits 1, without a stack trace.
/// </summary>
internal sealed class StartupException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
