using Microsoft.Extensions.Options;
using PresignGateway.Cli;
using PresignGateway.Configuration;
using PresignGateway.Hosting;

// The executable doubles as a command-line tool: dispatch before the web host exists, so stdout carries only the result.
if (ExecutableUsage.IsHelp(args))
{
    Console.Out.Write(ExecutableUsage.Text + Environment.NewLine);
    return 0;
}

if (ExecutableUsage.IsVersion(args))
{
    Console.Out.Write("PresignGateway " + ExecutableUsage.Version + Environment.NewLine);
    return 0;
}

if (args is ["presign", .. var presignArgs])
{
    return PresignCommand.Run(presignArgs, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System);
}

if (args is ["sign-link", .. var signLinkArgs])
{
    return SignLinkCommand.Run(signLinkArgs, Console.Out, Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System);
}

try
{
    var builder = GatewayApplication.CreateBuilder(args);
    await using var app = GatewayApplication.Build(builder);
    await app.RunAsync();
    return 0;
}
catch (StartupException invalid)
{
    return ReportInvalidConfiguration(invalid.Problems);
}
catch (OptionsValidationException invalid)
{
    return ReportInvalidConfiguration([.. invalid.Failures]);
}

// One message listing every problem, each naming the setting and saying what to fix; no stack trace.
static int ReportInvalidConfiguration(IReadOnlyList<string> problems)
{
    Console.Error.WriteLine($"PresignGateway: the configuration is invalid:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", problems)}");
    return 1;
}
