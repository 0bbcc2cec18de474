using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using PresignGateway.Configuration;

namespace PresignGateway.Forwarding;

/// <summary>
/// The one HTTP client to the stores: no proxy, redirects, cookies or decompression (bytes pass through as stored),
/// a connect timeout, and no trace headers (the store gets exactly the signed request and the download headers).
/// </summary>
internal sealed class StorageInvoker : IDisposable
{
    public StorageInvoker(IOptions<GatewayOptions> options)
    {
        UpstreamOptions upstream = options.Value.Upstream;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = upstream.ConnectTimeout,
            MaxConnectionsPerServer = upstream.MaxConnectionsPerServer,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
