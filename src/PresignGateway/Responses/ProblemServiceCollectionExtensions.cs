using Microsoft.AspNetCore.Http;

namespace PresignGateway.Responses;

internal static class ProblemServiceCollectionExtensions
{
    /// <summary>
    /// The problem details service with the gateway's two writers, in order: the HTML page when the client prefers it,
    /// else problem+json (which takes every client, so the framework's own writer, registered after, is never asked).
    /// </summary>
    public static IServiceCollection AddGatewayProblems(this IServiceCollection services)
    {
        services.AddSingleton<IProblemDetailsWriter, ProblemPageWriter>();
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddOptions().AddProblemDetails();
        return services;
    }
}
