namespace ActorPubSub;

/// <summary>
/// The client can no longer reach ActorPubSub: its ActorSystem terminated, or this member was downed or removed from
/// the cluster. The message says which. A publish pending when this happened may or may not be stored. The client does
/// not recover: build a new host (ActorSystem) to publish and consume again.
/// </summary>
public sealed class PubSubUnavailableException(string message) : InvalidOperationException(message);
