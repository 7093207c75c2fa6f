using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>The topic's configuration now in effect.</summary>
/// <param name="Retention">The retention in effect.</param>
/// <param name="Limits">The limits in effect; null from a node that does not report them.</param>
public sealed record TopicConfigured(string Topic, TopicRetention Retention, TopicLimits? Limits = null) : IPubSubWireMessage, IDeadLetterSuppression;
