using System.Collections.Immutable;

namespace ActorPubSub;

/// <summary>Optional properties of one publish.</summary>
public sealed record PublishOptions
{
    /// <summary>
    /// Key of the message (kept and delivered with it): the ordering key of subscriptions ordered by key.
    /// <b>Default:</b> none.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>String headers (kept and delivered with the message). <b>Default:</b> none.</summary>
    public ImmutableDictionary<string, string>? Headers { get; init; }

    /// <summary>
    /// Your own id of the message, delivered with it. A publish whose id repeats one the topic stored within
    /// <c>actorpubsub.topic.dedup-window</c> (2 minutes) is confirmed with the original sequence number
    /// (<see cref="PublishReceipt.Duplicate"/>) and not stored again — also after a restart or a move of
    /// the topic. <b>Default:</b> none.
    /// </summary>
    public string? MessageId { get; init; }

    /// <summary>
    /// Correlation id kept with the message end to end (header <c>correlation-id</c>): delivered as
    /// <see cref="Delivery{T}.CorrelationId"/>, put in the handler's log scope and on its trace span. <b>Default:</b>
    /// the ambient <c>ActorPubSub.Observability.PubSubCorrelation.Current</c> (inside a handler: the id of the message it
    /// handles), else a new one when <c>actorpubsub.client.generate-correlation-id</c> is on, else none.
    /// </summary>
    public string? CorrelationId { get; init; }

    /// <summary>
    /// Transient publishes only: what happens when this client's transient buffer of the topic is full.
    /// <b>Default:</b> <see cref="TransientOverflow.Wait"/>.
    /// </summary>
    public TransientOverflow? Overflow { get; init; }
}
