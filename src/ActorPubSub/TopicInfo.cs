using System.Collections.Immutable;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>A topic's state, for operators and tests.</summary>
/// <param name="Exists">False when the topic never had a message or subscription.</param>
/// <param name="LastSequence">Sequence of the newest persisted message (0 when none).</param>
/// <param name="FirstRetained">Sequence of the oldest retained message (LastSequence + 1 when none).</param>
/// <param name="Node">Address of the node hosting the topic.</param>
/// <param name="Retention">The retention of acknowledged messages in effect (the topic's own or the node's default).</param>
/// <param name="Limits">The limits on the log in effect (the topic's own or the node's defaults); null from a node that does not report them.</param>
public sealed record TopicInfo(
    string Topic,
    bool Exists,
    long LastSequence,
    long FirstRetained,
    long RetainedMessages,
    long RetainedBytes,
    ImmutableArray<SubscriptionInfo> Subscriptions,
    string Node,
    TopicRetention Retention,
    TopicLimits? Limits = null) : IPubSubWireMessage;
