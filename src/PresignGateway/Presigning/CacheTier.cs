namespace PresignGateway.Presigning;

/// <summary>Where a URL came from: the in-process tier, the shared tier (Redis, or a concurrent miss it joined), or a new signature.</summary>
internal enum CacheTier
{
    Memory,
    Shared,
    Signed,
}
