using Akka.Cluster.Sharding;
using ActorPubSub.Topics;
using ActorPubSub.Messages;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// Routes <see cref="IDeadLetterCommand"/>s to the dead-letter store of their (topic, subscription), entity id
/// <c>"{topic}:{subscription}"</c> (<see cref="DeadLetterEntityId"/>). Shards by a stable hash of the entity id
/// (MurmurHash in the base class).
/// </summary>
public sealed class DeadLetterMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    /// <summary>Invalid names yield no entity id, so sharding drops the message instead of creating an entity.</summary>
    public override string? EntityId(object message) =>
        message is IDeadLetterCommand command &&
        TopicNames.ValidateTopic(command.Topic) is null &&
        TopicNames.ValidateSubscription(command.Subscription) is null
            ? DeadLetterEntityId.Of(command.Topic, command.Subscription)
            : null;
}
