using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench.Workloads;

/// <summary>Publishes with at most <c>window</c> publishes awaiting their receipt (the peers' --window).</summary>
internal static class Publisher
{
    public static async Task PublishAsync(IPubSub pubsub, Func<long, string> topicOf, long count, int size, int window, Progress? progress)
    {
        using var gate = new SemaphoreSlim(window);
        var failures = 0;
        for (long i = 0; i < count; i++)
        {
            await gate.WaitAsync();
            var task = pubsub.PublishAsync(topicOf(i), Payloads.Create(size, i));
            _ = task.ContinueWith(t =>
            {
                if (!t.IsCompletedSuccessfully) Interlocked.Increment(ref failures);
                gate.Release();
                progress?.Add(1);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }
        for (var i = 0; i < window; i++) await gate.WaitAsync();   // every receipt is in
        if (failures > 0) throw new InvalidOperationException($"{failures} publishes failed.");
    }
}
