using PresignGateway.Sites;

namespace PresignGateway.Tests.Infrastructure;

/// <summary>Looks up a site of a running gateway by its path prefix.</summary>
internal static class SiteFinder
{
    public static bool TryFind(GatewayHost host, string prefix, out Site site)
    {
        site = host.Services.GetRequiredService<SiteTableProvider>().Current.Sites.Single(s => s.PathPrefix == prefix);
        return true;
    }
}
