using System.Collections.Immutable;

namespace ActorPubSub;

/// <summary>A message delivered to a handler.</summary>
/// <param name="Sequence">The message's sequence number in the topic (0 for a transient message).</param>
/// <param name="Attempt">1 on first delivery, then 2, 3, … on redeliveries; 0 for a transient message.</param>
/// <param name="CorrelationId">The publisher's correlation id (header <c>correlation-id</c>), or null.</param>
public sealed record Delivery<T>(
    string Topic,
    string Subscription,
    long Sequence,
    int Attempt,
    DateTime Timestamp,
    T Message,
    string? Key,
    ImmutableDictionary<string, string>? Headers,
    string? MessageId,
    string? CorrelationId = null)
{
    /// <summary>
    /// The version of the topic's schema the message was checked against at publish (header <c>schema-version</c>), or
    /// null when it was not checked (the topic did not validate). See <see cref="ConsumerOptions.AcceptedSchemaVersions"/>.
    /// </summary>
    public int? SchemaVersion { get; init; }
}
