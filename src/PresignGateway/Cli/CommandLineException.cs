namespace PresignGateway.Cli;

/// <summary>A command-line mistake; the message is printed on one line of stderr.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
