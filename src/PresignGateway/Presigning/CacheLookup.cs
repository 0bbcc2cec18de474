namespace PresignGateway.Presigning;

/// <summary>A cache answer: the URL and the tier that gave it.</summary>
internal readonly record struct CacheLookup(CachedPresignedUrl Url, CacheTier Tier);
