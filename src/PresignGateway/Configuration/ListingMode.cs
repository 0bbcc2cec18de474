namespace PresignGateway.Configuration;

/// <summary>Whether a site lists a directory that has no index document.</summary>
internal enum ListingMode
{
    Off,
    On,
}
