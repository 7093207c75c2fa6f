using System.Collections.Concurrent;
using ActorPubSub.Messages;

namespace ActorPubSub.Client;

/// <summary>
/// Transient publishes of one topic waiting to be batched. Callers enqueue from any thread and request a
/// flush only when none is pending, so a burst of publishes costs one message to the publisher actor.
/// </summary>
internal sealed class TransientQueue(string topic)
{
    public string Topic { get; } = topic;
    public ConcurrentQueue<TopicMessage> Messages { get; } = new();
    /// <summary>1 while a flush is requested and not yet started.</summary>
    public int FlushRequested;
}
