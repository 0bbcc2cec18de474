namespace PresignGateway.Stores;

/// <summary>The refresh of temporary credentials: its HTTP clients, the fetch context and the background service.</summary>
internal static class CredentialServiceCollectionExtensions
{
    public static IServiceCollection AddCredentialRefresh(this IServiceCollection services)
    {
        // No redirects (a credential answer never moves; following one could send a token elsewhere), no cookies, short
        // timeouts, and no request logging: the handlers' lines would carry the URL.
        services.AddHttpClient(CredentialFetchContext.MetadataClient, client => client.Timeout = TimeSpan.FromSeconds(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                // Link-local and loopback: a proxy from HTTP_PROXY would never reach them (nor should see the token).
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(2),
            })
            .RemoveAllLoggers();
        services.AddHttpClient(CredentialFetchContext.StsClient, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            })
            .RemoveAllLoggers();
        services.AddSingleton<CredentialFetchContext>();
        services.AddSingleton<CredentialRefresher>();
        services.AddHostedService(provider => provider.GetRequiredService<CredentialRefresher>());
        return services;
    }
}
