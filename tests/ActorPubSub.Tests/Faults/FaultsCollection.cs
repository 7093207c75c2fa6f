namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The fault tests run one at a time, after every parallel test class has finished: they kill, pause and cut off
/// processes on timers of a few seconds (failure detector, Split Brain Resolver), and one of them stops the shared
/// PostgreSQL server, so neither a parallel test nor a CPU-starved machine may share their run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection
{
    public const string Name = "Faults";
}
