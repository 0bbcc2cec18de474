namespace PresignGateway.Configuration;

/// <summary>The Cache-Control of successful responses under a path prefix; the longest matching prefix wins.</summary>
internal sealed class CacheRuleOptions
{
    /// <summary>A full decoded request path prefix under the site's PathPrefix, such as <c>/latest/</c>.</summary>
    public string? PathPrefix { get; set; }

    public string? CacheControl { get; set; }
}
