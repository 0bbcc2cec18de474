using PresignGateway.Cli;

// The executable doubles as a command-line tool: dispatch before the web host exists, so stdout carries only the result.
if (args is ["presign", .. var presignArgs])
{
    return PresignCommand.Run(presignArgs, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // appsettings.json travels with the build output; finding it there makes the app start from any directory.
    ContentRootPath = AppContext.BaseDirectory,
});

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
await app.RunAsync();
return 0;
