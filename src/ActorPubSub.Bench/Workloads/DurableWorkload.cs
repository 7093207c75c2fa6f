using System.Diagnostics;
using ActorPubSub.Client;

namespace ActorPubSub.Bench.Workloads;

/// <summary>
/// W1 (one subscription) and W2 (fan-out to several): one topic, one publisher keeping --window publishes
/// unconfirmed, each subscription with one consumer acking every message.
/// </summary>
internal static class DurableWorkload
{
    public static async Task<BenchResult> RunAsync(BenchCluster cluster, BenchOptions o, string name, int subscriptions, long count, bool measured)
    {
        var topic = $"{name}-{Guid.NewGuid():N}";
        if (o.Validation is { } validation and not ValidationMode.Off)
            await cluster.Client.RegisterSchemaAsync(topic, Payloads.JsonSchema, validation: validation);
        var receivers = Enumerable.Range(0, subscriptions).Select(_ => new Receiver(count, json: o.Validation is not null)).ToArray();
        var subs = new List<ISubscription>();
        for (var i = 0; i < subscriptions; i++)
            subs.Add(await cluster.Client.SubscribeAsync<byte[]>(topic, $"sub-{i}", receivers[i].Handle,
                null, new ConsumerOptions { MaxInFlight = o.MaxInFlight }));

        using var progress = measured ? new Progress(name, count, o.Progress) : null;
        var peak = new PeakMemory();
        var sw = Stopwatch.StartNew();
        await Publisher.PublishAsync(cluster.Client, _ => topic, count, o.Size, o.Window, progress,
            payloadOf: o.Validation is null ? null : Payloads.CreateJson);
        var publishSeconds = sw.Elapsed.TotalSeconds;
        await Task.WhenAll(receivers.Select(r => r.All));
        var handlerSeconds = sw.Elapsed.TotalSeconds;
        // The end-to-end clock stops when the topic holds every ack (as the peers' Redis run counts an ack when XACK's
        // reply is back): nothing left unacknowledged on any subscription, seen by asking the topic.
        while ((await cluster.Client.GetTopicInfoAsync(topic)).Subscriptions.Any(s => s.Pending > 0 || s.InFlight > 0))
            await Task.Yield();
        var seconds = sw.Elapsed.TotalSeconds;
        foreach (var s in subs) await s.DisposeAsync();

        return BenchResult.Throughput(name, o.Store, cluster.Topology, count, publishSeconds, seconds) with
        {
            HandlerEndToEndPerSecond = count / handlerSeconds,
            Duplicates = receivers.Sum(r => r.Duplicates),
            PeakWorkingSetMb = peak.Stop(),
            Note = (subscriptions > 1 ? $"{subscriptions} subscriptions; e2e per subscription; " : "") + "e2e to acks held by the topic"
                   + (o.Validation is { } v ? $"; JSON payloads, validation {v.ToString().ToLowerInvariant()}" : ""),
        };
    }
}
