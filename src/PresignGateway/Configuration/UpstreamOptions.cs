namespace PresignGateway.Configuration;

internal sealed class UpstreamOptions
{
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the store's response headers.</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxConnectionsPerServer { get; set; } = 1024;

    /// <summary>The most bytes one read from the store asks for while streaming a body (see ResponseBodyCopier).</summary>
    public int BodyBufferSize { get; set; } = DefaultBodyBufferSize;

    public const int DefaultBodyBufferSize = 256 * 1024;
    public const int MinBodyBufferSize = 16 * 1024;
    public const int MaxBodyBufferSize = 4 * 1024 * 1024;
}
