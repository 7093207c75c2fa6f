namespace ActorPubSub.Messages;

/// <summary>A message routed by Cluster.Sharding to the dead-letter actor of one subscription.</summary>
public interface IDeadLetterCommand
{
    string Topic { get; }
    string Subscription { get; }
}
