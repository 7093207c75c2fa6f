namespace ActorPubSub.Messages;

/// <summary>
/// A dead-letter protocol message or journal type: serialized by DeadLetterSerializer (id 472), not by
/// the topic serializer.
/// </summary>
public interface IDeadLetterWireMessage;
