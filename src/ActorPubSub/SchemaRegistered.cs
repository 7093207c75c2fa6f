namespace ActorPubSub;

/// <summary>The schema is (or, in a dry run, would be) version <paramref name="Version"/> of the topic.</summary>
/// <param name="Unchanged">The schema was the current version already: nothing was stored.</param>
/// <remarks>In the root namespace with the rest of what <see cref="IPubSub"/> returns; on the wire it is one of the
/// catalogue's messages (bound to its serializer by type in reference.conf).</remarks>
public sealed record SchemaRegistered(TopicContract Contract, int Version, bool DryRun, bool Unchanged);
