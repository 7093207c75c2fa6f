using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench.Workloads;

/// <summary>
/// W4: --topics topics (10,000) with one subscription each, --count messages spread evenly. Then the node
/// restarts on the same store and every topic must recover and deliver one more message (the time is the
/// "recover and serve" figure); then the topics go idle and passivate, and the memory they leave behind is
/// measured per topic.
/// </summary>
internal static class ManyTopicsWorkload
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

    public static async Task<BenchResult> RunAsync(BenchOptions o, long count)
    {
        var topics = o.Topics;
        var prefix = $"w4-{Guid.NewGuid():N}"[..11];
        string Topic(long i) => $"{prefix}-{i % topics}";
        var peak = new PeakMemory();

        // serve: every topic with its subscription and consumer, messages spread evenly
        var cluster = await BenchCluster.StartAsync(o, topicIdleTimeout: IdleTimeout);
        var receiver = new Receiver(count);
        var phase = Stopwatch.StartNew();
        var subs = await SubscribeAllAsync(cluster.Client, topics, prefix, receiver.Handle, o);
        Console.Error.WriteLine($"w4: {topics:N0} topics subscribed in {phase.Elapsed.TotalSeconds:F1} s");
        var sw = Stopwatch.StartNew();
        using (var progress = new Progress("w4", count, o.Progress))
            await Publisher.PublishAsync(cluster.Client, Topic, count, o.Size, o.Window, progress);
        var publishSeconds = sw.Elapsed.TotalSeconds;
        await receiver.All;
        var seconds = sw.Elapsed.TotalSeconds;
        foreach (var s in subs) await s.DisposeAsync();
        var sqlite = cluster.SqliteFile;
        phase.Restart();
        await cluster.StopAsync(deleteData: false);
        Console.Error.WriteLine($"w4: served {count:N0} messages; node stopped in {phase.Elapsed.TotalSeconds:F1} s");

        // recover and serve: a new node on the same store; each topic recovers and delivers one new message
        await using var restarted = await BenchCluster.StartAsync(o, sqlite, IdleTimeout);
        var baseline = Heap();
        var recovery = Stopwatch.StartNew();
        var again = new Receiver(topics);
        subs = await SubscribeAllAsync(restarted.Client, topics, prefix, again.Handle, o);
        await Publisher.PublishAsync(restarted.Client, i => $"{prefix}-{i}", topics, o.Size, o.Window, null);
        await again.All;
        var recoverSeconds = recovery.Elapsed.TotalSeconds;

        // passivate: consumers stop, topics idle out; what stays per topic
        foreach (var s in subs) await s.DisposeAsync();
        var region = ActorRegistry.For(restarted.BrokerSystem).Get<TopicRegion>();
        var passivated = Stopwatch.StartNew();
        while (await EntitiesAsync(region) > 0)
        {
            if (passivated.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("Topics did not passivate within 2 minutes.");
            await Task.Delay(500);
        }
        var perTopic = (Heap() - baseline) / (double)topics;

        return BenchResult.Throughput("w4", o.Store, restarted.Topology, count, publishSeconds, seconds) with
        {
            Duplicates = receiver.Duplicates,
            PeakWorkingSetMb = peak.Stop(),
            Note = $"{topics:N0} topics; recover+serve {recoverSeconds:F1} s; {perTopic / 1024:F1} KB heap per passivated topic",
        };
    }

    private static async Task<List<ISubscription>> SubscribeAllAsync(IPubSub pubsub, int topics, string prefix,
        Func<Delivery<byte[]>, CancellationToken, Task> handler, BenchOptions o)
    {
        var subs = new List<ISubscription>(topics);
        var options = new ConsumerOptions { MaxInFlight = Math.Min(o.MaxInFlight, 100) };
        for (var start = 0; start < topics; start += 500)
        {
            var batch = Enumerable.Range(start, Math.Min(500, topics - start))
                .Select(i => pubsub.SubscribeAsync($"{prefix}-{i}", "s", handler, null, options));
            subs.AddRange(await Task.WhenAll(batch));
        }
        return subs;
    }

    private static async Task<int> EntitiesAsync(IActorRef region)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.Sum(s => s.EntityIds.Count);
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
