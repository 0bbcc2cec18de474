namespace PresignGateway.Configuration;

/// <summary>The <c>Gateway:AccessLog</c> section: one line per request in the <c>PresignGateway.Access</c> category.</summary>
internal sealed class AccessLogOptions
{
    /// <summary>Off stops the lines whatever the log level; a reload applies at once.</summary>
    public bool Enabled { get; set; } = true;
}
