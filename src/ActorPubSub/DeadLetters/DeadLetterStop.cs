using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// Sent by the shard to stop a dead-letter store on hand-off and passivation (instead of PoisonPill). It is an
/// ordinary message, so it waits behind a journal write in progress (Persist holds messages until the write is
/// done), and a redrive in progress finishes its chunk in flight and answers its requester before the store
/// stops. Local only.
/// </summary>
public sealed class DeadLetterStop
{
    public static readonly DeadLetterStop Instance = new();
    private DeadLetterStop() { }
}
