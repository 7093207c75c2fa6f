using System.Collections.Immutable;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

// The protocol between a topic and the dead-letter stores of its subscriptions. It lives with the topic so that
// topics never depend on the store: the store (DeadLetters/) depends on the topic, not the reverse.

/// <summary>
/// Topic → dead-letter actor: store these letters. The topic sends every letter it has not seen confirmed, in
/// <see cref="DeadLetter.Id"/> order, and resends until confirmed. <paramref name="Incarnation"/> identifies
/// the subscription's incarnation (a subscription deleted and created again starts a new one, with ids from 1).
/// Answered with <see cref="DeadLettersStored"/> once persisted (at once when nothing in it is new): letters
/// with ids already stored are skipped, and a letter whose id is not the next one means an earlier send was lost,
/// so nothing from it on is stored until the resend. No answer when the journal write fails (the topic resends).
/// </summary>
public sealed record StoreDeadLetters(string Topic, string Subscription, Guid Incarnation, ImmutableArray<DeadLetter> Letters)
    : IDeadLetterCommand, IDeadLetterWireMessage;

/// <summary>Every letter of <paramref name="Incarnation"/> with an id up to <paramref name="UpToId"/> is stored.</summary>
public sealed record DeadLettersStored(string Topic, string Subscription, Guid Incarnation, long UpToId)
    : ITopicCommand, IDeadLetterWireMessage;

/// <summary>
/// Dead-letter actor → topic: the store holds <paramref name="Count"/> letters. Sent after every answer to a
/// <see cref="StoreDeadLetters"/> (an empty one asks just for this) and after a purge, for the topic's dead-letter
/// depth gauge and <see cref="SubscriptionInfo.DeadLetters"/>.
/// </summary>
public sealed record DeadLetterCount(string Topic, string Subscription, int Count) : ITopicCommand, IDeadLetterWireMessage;
