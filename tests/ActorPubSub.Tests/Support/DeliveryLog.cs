using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Support;

/// <summary>Records what a handler received, for assertions.</summary>
public sealed class DeliveryLog<T>
{
    private readonly ConcurrentQueue<Delivery<T>> _deliveries = new();

    public void Add(Delivery<T> delivery) => _deliveries.Enqueue(delivery);

    public IReadOnlyList<Delivery<T>> All => [.. _deliveries];

    public IReadOnlySet<long> Sequences => _deliveries.Select(d => d.Sequence).ToHashSet();

    public int Count => _deliveries.Count;

    /// <summary>A handler that records and acks.</summary>
    public Func<Delivery<T>, CancellationToken, Task> Recording => (d, _) =>
    {
        Add(d);
        return Task.CompletedTask;
    };

    public Task ReceivedAsync(int distinctMessages, TimeSpan? within = null) =>
        Eventually.HoldsAsync(() => Sequences.Count >= distinctMessages,
            $"{distinctMessages} distinct messages were delivered (got {Sequences.Count})", within);
}
