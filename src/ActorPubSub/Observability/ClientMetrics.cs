namespace ActorPubSub.Observability;

/// <summary>What the client records (the topics record the rest).</summary>
internal static class ClientMetrics
{
    /// <summary>A client's transient buffer of <paramref name="topic"/> dropped <paramref name="count"/> messages (a drop overflow policy).</summary>
    public static void TransientDropped(string topic, long count) =>
        // Only a topic tag: the topics' own drops also carry the subscription.
        PubSubMetrics.TransientDropped.Add(count, new KeyValuePair<string, object?>(InstrumentNames.TopicTag, topic));
}
