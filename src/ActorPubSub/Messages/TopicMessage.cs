using System.Collections.Immutable;
using ActorPubSub.Messages;

namespace ActorPubSub.Messages;

/// <summary>
/// One message in a topic's log. Created once when its publish is accepted and then shared, unchanged, by
/// the log, the journal event and every delivery of it (no per-subscription copy).
/// </summary>
/// <param name="Sequence">Position in the topic's log, starting at 1, without gaps.</param>
/// <param name="Timestamp">When the topic accepted the publish (UTC).</param>
/// <param name="Payload">The serialized user message.</param>
/// <param name="Key">Optional key (for ordering and routing by later features); null when not given.</param>
/// <param name="Headers">Optional string headers; null when not given.</param>
/// <param name="MessageId">Optional id chosen by the publisher; null when not given.</param>
public sealed record TopicMessage(
    long Sequence,
    DateTime Timestamp,
    Payload Payload,
    string? Key,
    ImmutableDictionary<string, string>? Headers,
    string? MessageId)
{
    /// <summary>Bytes counted against size limits: payload, key, headers and id.</summary>
    public int Size => MessageSize.Of(Payload, Key, Headers, MessageId);
}
