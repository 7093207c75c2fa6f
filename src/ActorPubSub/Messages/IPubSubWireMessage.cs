namespace ActorPubSub.Messages;

/// <summary>
/// Marks every message that crosses node boundaries or goes to the journal. Only this interface is bound
/// to <c>Serialization.PubSubSerializer</c> in reference.conf, so a type that forgets it fails loudly in tests
/// instead of silently falling back to Akka's type-name-carrying JSON serializer.
/// </summary>
public interface IPubSubWireMessage;
