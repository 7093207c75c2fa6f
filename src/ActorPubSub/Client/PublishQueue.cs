using System.Collections.Concurrent;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Client;

/// <summary>
/// Durable publishes waiting for the <see cref="PublisherActor"/>. Callers enqueue from any thread and
/// request a flush only when none is pending, so a burst of publishes costs one message to the actor, which
/// numbers them and sends them to their topics in batches.
/// </summary>
internal sealed class PublishQueue
{
    public ConcurrentQueue<PublisherActor.Send> Items { get; } = new();

    /// <summary>1 while a flush is requested and not yet started.</summary>
    public int FlushRequested;

    public void Enqueue(PublisherActor.Send send) => Items.Enqueue(send);
}
