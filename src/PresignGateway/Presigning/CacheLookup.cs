using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using PresignGateway.Configuration;
using PresignGateway.Diagnostics;
using PresignGateway.Signing;
using PresignGateway.Sites;

namespace PresignGateway.Presigning;

/// <summary>A cache answer: the URL and the tier that gave it.</summary>
internal readonly record struct CacheLookup(CachedPresignedUrl Url, CacheTier Tier);
