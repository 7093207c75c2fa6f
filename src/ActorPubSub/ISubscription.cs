
namespace ActorPubSub;

/// <summary>A running consumer of a subscription. Disposing it stops the consumer (the subscription stays).</summary>
public interface ISubscription : IAsyncDisposable
{
    string Topic { get; }
    string Subscription { get; }

    /// <summary>Completes when the consumer stopped; faults when the topic ended it (e.g. subscription deleted).</summary>
    Task Completion { get; }
}
