using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// Registry key of the dead-letter shard region (or proxy): <c>IRequiredActor&lt;DeadLetterRegion&gt;</c> gives
/// the actor to send <see cref="IDeadLetterCommand"/>s to.
/// </summary>
public sealed class DeadLetterRegion
{
    /// <summary>The sharding type name of dead-letter stores.</summary>
    public const string TypeName = "actorpubsub-deadletters";

    private DeadLetterRegion() { }
}
