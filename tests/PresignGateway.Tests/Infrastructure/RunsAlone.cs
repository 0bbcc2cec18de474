namespace PresignGateway.Tests.Infrastructure;

/// <summary>
/// For tests that touch something process-wide or shared: activity and meter listeners, the shared store's clock.
/// They run alone, after the parallel collections, so no other test sees their effects or disturbs their measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
