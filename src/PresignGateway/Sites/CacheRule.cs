namespace PresignGateway.Sites;

/// <summary>A Cache-Control for successful responses whose decoded request path starts with <see cref="PathPrefix"/>.</summary>
internal readonly record struct CacheRule(string PathPrefix, string CacheControl);
