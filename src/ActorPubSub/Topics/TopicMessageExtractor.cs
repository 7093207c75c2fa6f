using Akka.Cluster.Sharding;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// Routes <see cref="ITopicCommand"/>s to the topic entity of the same name. Shards by a stable hash of the
/// name (MurmurHash in the base class, not string.GetHashCode, which differs per process).
/// </summary>
public sealed class TopicMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    /// <summary>Invalid names yield no entity id, so sharding drops them instead of creating an entity.</summary>
    public override string? EntityId(object message) =>
        message is ITopicCommand command && TopicNames.ValidateTopic(command.Topic) is null ? command.Topic : null;
}
