using ActorPubSub.Messages;
using Akka.Event;

namespace ActorPubSub.Remoting;

/// <summary>
/// A route's fence (<see cref="DirectRoute"/>): told to a remote actor Akka's way after the messages that took Akka's
/// way, and taken out by the transport when Akka's endpoint writer hands it over, so it is never sent. Its arrival there
/// says every message told before it has been written to that connection. When Akka drops it instead (the address is
/// gated or unreachable), it is not logged as a dead letter.
/// </summary>
internal sealed record DirectSendFence(long Id) : IPubSubWireMessage, IDeadLetterSuppression;
