namespace ActorPubSub;

/// <summary>
/// What a transient publish does when the topic's transient buffer of this client is full (the consumers do not keep
/// up): set per call in <see cref="PublishOptions.Overflow"/>.
/// </summary>
public enum TransientOverflow
{
    /// <summary>Wait for room (<c>PublishTransientAsync</c> completes once the message is buffered). A consumer that keeps up loses nothing. The default.</summary>
    Wait = 0,

    /// <summary>Drop the oldest message not yet sent and buffer this one (counted in <c>actorpubsub.transient.dropped</c>).</summary>
    DropOldest = 1,

    /// <summary>Drop this message (counted in <c>actorpubsub.transient.dropped</c>).</summary>
    DropNewest = 2,

    /// <summary>Fail the call with a <see cref="PubSubRejectedException"/> (code TopicFull).</summary>
    Fail = 3,
}
