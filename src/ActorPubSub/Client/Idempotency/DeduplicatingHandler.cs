using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Client.Idempotency;

/// <summary>The handler <see cref="IdempotentHandler"/> returns: skips processed keys and runs one delivery per key at a time.</summary>
internal sealed class DeduplicatingHandler<T>(
    Func<Delivery<T>, CancellationToken, Task> handler, Func<Delivery<T>, string?> keySelector, ProcessedMessageCache cache)
{
    // Guards the check-then-claim of a key: reading the cache and the in-flight table and claiming the key happen
    // under one lock, and so do marking the key processed and releasing the claim; otherwise a delivery could see
    // the key neither processed nor in flight in between and run the handler a second time.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    public async Task HandleAsync(Delivery<T> delivery, CancellationToken cancellationToken)
    {
        var key = keySelector(delivery);
        if (key is null)
        {
            await handler(delivery, cancellationToken).ConfigureAwait(false);
            return;
        }

        TaskCompletionSource claim;
        while (true)
        {
            Task? running;
            lock (_lock)
            {
                if (cache.Contains(key)) return;                      // a duplicate: complete, so it is acked
                if (!_inFlight.TryGetValue(key, out running))
                {
                    claim = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _inFlight.Add(key, claim.Task);
                    break;
                }
            }
            // The claim's task never faults; once it completes, look again: processed (skip) or free (run).
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var succeeded = false;
        try
        {
            await handler(delivery, cancellationToken).ConfigureAwait(false);
            succeeded = true;
        }
        finally
        {
            lock (_lock)
            {
                if (succeeded) cache.Add(key);
                _inFlight.Remove(key);
            }
            claim.SetResult();
        }
    }
}
