namespace PresignGateway.Forwarding;

/// <summary>The metric labels a download earns as it goes: its site and delivery mode, once they are known.</summary>
internal readonly record struct DownloadLabels(string Site, string Mode)
{
    public static DownloadLabels None => new("(none)", "(none)");
}
