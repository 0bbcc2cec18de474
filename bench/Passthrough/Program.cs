using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

// A minimal YARP passthrough, as YARP's "direct forwarding" docs write it: every request goes to the same upstream
// with the default transformer. No routing, no config, no per-request work of its own.
// Usage: dotnet Passthrough.dll --urls http://127.0.0.1:PORT --Upstream http://127.0.0.1:UPSTREAM_PORT
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddHttpForwarder();

string upstream = builder.Configuration["Upstream"]
    ?? throw new InvalidOperationException("Set the upstream: --Upstream http://127.0.0.1:PORT");

WebApplication app = builder.Build();

using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    EnableMultipleHttp2Connections = true,
    ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    ConnectTimeout = TimeSpan.FromSeconds(15),
});
var requestConfig = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
IHttpForwarder forwarder = app.Services.GetRequiredService<IHttpForwarder>();

app.Map("/{**catch-all}", async (HttpContext context) =>
{
    ForwarderError error = await forwarder.SendAsync(context, upstream, invoker, requestConfig, HttpTransformer.Default).ConfigureAwait(false);
    if (error != ForwarderError.None && !context.Response.HasStarted)
    {
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
    }
});

await app.RunAsync().ConfigureAwait(false);
