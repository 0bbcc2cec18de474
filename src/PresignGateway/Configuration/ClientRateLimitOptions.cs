namespace PresignGateway.Configuration;

internal sealed class ClientRateLimitOptions : RateLimitOptions
{
    public const int MinIPv6PrefixLength = 32;
    public const int MaxIPv6PrefixLength = 128;

    /// <summary>
    /// IPv6 clients whose addresses share this many leading bits share one bucket: a subscriber usually gets a whole
    /// /64 and can use any address in it. 128 limits each address. IPv4 clients are always limited per address.
    /// </summary>
    public int IPv6PrefixLength { get; set; } = 64;
}
