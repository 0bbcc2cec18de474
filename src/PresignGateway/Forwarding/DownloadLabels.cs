namespace PresignGateway.Forwarding;

/// <summary>
/// The labels a download earns as it goes: its site and delivery mode, once they are known (metrics and the access
/// log), and the cache tier its presigned URL came from (the access log only: memory, shared or signed).
/// </summary>
internal readonly record struct DownloadLabels(string Site, string Mode, string? Cache = null)
{
    public static DownloadLabels None => new("(none)", "(none)");
}
