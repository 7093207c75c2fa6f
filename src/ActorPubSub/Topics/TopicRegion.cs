using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// Registry key of the topic shard region (or proxy): <c>IRequiredActor&lt;TopicRegion&gt;</c> gives the
/// actor to send <see cref="ITopicCommand"/>s to.
/// </summary>
public sealed class TopicRegion
{
    /// <summary>The sharding type name of topics.</summary>
    public const string TypeName = "actorpubsub-topic";

    private TopicRegion() { }
}
