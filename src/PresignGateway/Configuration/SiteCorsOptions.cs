namespace PresignGateway.Configuration;

/// <summary>Cross-origin reads of a site's downloads by scripts on other origins (a page's <c>fetch()</c>).</summary>
internal sealed class SiteCorsOptions
{
    /// <summary>Origins as browsers send them, <c>https://app.example.com</c> or <c>http://127.0.0.1:8080</c>; or <c>*</c> alone.</summary>
    public List<string> AllowedOrigins { get; init; } = [];

    /// <summary>How long a browser may reuse a preflight answer (Access-Control-Max-Age).</summary>
    public TimeSpan? MaxAge { get; set; }
}
