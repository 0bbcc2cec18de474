// A bare ASP.NET Core endpoint that answers every GET with 302 and a fixed Location (and the same Cache-Control shape
// as the gateway's redirect mode), so the gateway's redirect path can be measured against the framework's floor.
// Usage: dotnet Redirect302.dll --urls http://127.0.0.1:PORT --Location 'http://...'
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

string location = builder.Configuration["Location"]
    ?? throw new InvalidOperationException("Set the redirect target: --Location http://...");

WebApplication app = builder.Build();

app.MapGet("/{**path}", (HttpResponse response) =>
{
    response.Headers.CacheControl = "private, max-age=3300";
    return Results.Redirect(location);
});

await app.RunAsync().ConfigureAwait(false);
