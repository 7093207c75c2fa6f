using ActorPubSub.Client;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench.Workloads;

/// <summary>
/// A consumer that counts distinct messages and duplicates, and completes when it has them all. Message numbers
/// are below <paramref name="numbers"/> (by default <paramref name="expected"/>; more when some publishes were refused).
/// <paramref name="json"/>: the payloads are <see cref="Payloads.CreateJson"/>'s.
/// </summary>
internal sealed class Receiver(long expected, Action<byte[]>? onMessage = null, long? numbers = null, bool json = false)
{
    private readonly bool[] _seen = new bool[numbers ?? expected];
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _distinct;
    private long _duplicates;

    public Task All => _all.Task;
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Distinct => Interlocked.Read(ref _distinct);

    public Task Handle(Delivery<byte[]> delivery, CancellationToken _)
    {
        onMessage?.Invoke(delivery.Message);
        var number = Payloads.Number(delivery.Message, json);
        lock (_seen)
        {
            if (_seen[number]) { _duplicates++; return Task.CompletedTask; }
            _seen[number] = true;
        }
        if (Interlocked.Increment(ref _distinct) == expected) _all.TrySetResult();
        return Task.CompletedTask;
    }
}
