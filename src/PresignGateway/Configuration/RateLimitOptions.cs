namespace PresignGateway.Configuration;

internal class RateLimitOptions
{
    public int PermitsPerSecond { get; set; }

    /// <summary>How many requests may arrive at once above the steady rate; defaults to the rate.</summary>
    public int Burst { get; set; }
}
