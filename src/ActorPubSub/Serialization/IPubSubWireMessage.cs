namespace ActorPubSub.Serialization;

/// <summary>
/// Marks every message that crosses node boundaries or goes to the journal. Only this interface is bound
/// to <see cref="PubSubSerializer"/> in reference.conf, so a type that forgets it fails loudly in tests
/// instead of silently falling back to Akka's type-name-carrying JSON serializer.
/// </summary>
public interface IPubSubWireMessage;
