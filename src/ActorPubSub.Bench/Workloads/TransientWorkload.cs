using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorPubSub.Bench.Workloads;

/// <summary>
/// W3: fire-and-forget fan-out without persistence, --count messages to one subscriber, and Akka's
/// DistributedPubSub mediator doing the same in the same process right after, for the ratio.
/// </summary>
internal static class TransientWorkload
{
    /// <summary>
    /// In-process: three rounds, alternating ours and the mediator with a full GC before each, and the median of each
    /// side: one round of either swings 2-3x on a 2-core machine with the other's garbage still around. With the node in
    /// another process the comparison is the peers' (Redis PUBLISH), whose harness records each run of one round: so
    /// does this, and its CPU and allocation columns cover exactly the run's messages.
    /// </summary>
    public static async Task<BenchResult> RunAsync(BenchCluster cluster, BenchOptions o, long count, bool measured)
    {
        if (o.NodeProcess)
        {
            Collect();
            var run = await RunOursAsync(cluster, o, count, measured);
            return run.Dropped > 0 ? run with { Note = $"{run.Dropped:N0} dropped" } : run;
        }
        var ours = new List<BenchResult>();
        var mediator = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            Collect();
            ours.Add(await RunOursAsync(cluster, o, count, measured && round == 0));
            Collect();
            mediator.Add(await RunMediatorAsync(cluster.ClientSystem, o, count));
        }
        var median = ours.OrderBy(r => r.EndToEndPerSecond).ElementAt(1);
        var dropped = ours.Sum(r => r.Dropped);
        var versus = $"; mediator {mediator.Order().ElementAt(1):N0} msg/s; ours/mediator {median.EndToEndPerSecond / mediator.Order().ElementAt(1):F2}x";
        return median with
        {
            Note = "median of 3" + versus + (dropped > 0 ? $"; {dropped:N0} dropped" : ""),
        };
    }

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }

    private static async Task<BenchResult> RunOursAsync(BenchCluster cluster, BenchOptions o, long count, bool measured)
    {
        var topic = $"w3-{Guid.NewGuid():N}";
        var received = 0L;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await cluster.Client.SubscribeAsync<byte[]>(topic, "s", (_, _) =>
        {
            if (Interlocked.Increment(ref received) == count) all.TrySetResult();
            return Task.CompletedTask;
        });
        // Transient messages reach consumers registered at that moment: wait for the registration.
        while ((await cluster.Client.GetTopicInfoAsync(topic)).Subscriptions.Single().Consumers == 0) await Task.Delay(10);

        using var progress = measured ? new Progress("w3", count, o.Progress) : null;
        var peak = new PeakMemory();
        var payload = new byte[o.Size];
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            await cluster.Client.PublishTransientAsync(topic, payload);
            if ((i & 0xFFF) == 0) progress?.Add(0x1000);
        }
        var publishSeconds = sw.Elapsed.TotalSeconds;
        // Report what arrived within a bounded wait (a drop overflow policy, or a bug, would show here).
        await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        var seconds = sw.Elapsed.TotalSeconds;
        var got = Interlocked.Read(ref received);
        return BenchResult.Throughput("w3", "none", cluster.Topology, count, publishSeconds, seconds, received: got) with
        {
            Duplicates = 0,
            PeakWorkingSetMb = peak.Stop(),
            Dropped = count - got,
        };
    }

    /// <summary>The same workload through Akka's DistributedPubSub mediator; received messages per second.</summary>
    private static async Task<double> RunMediatorAsync(ActorSystem system, BenchOptions o, long count)
    {
        var mediator = DistributedPubSub.Get(system).Mediator;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = system.ActorOf(Props.Create(() => new CountingSubscriber(count, all)));
        var topic = $"w3-mediator-{Guid.NewGuid():N}";
        await mediator.Ask<SubscribeAck>(new Subscribe(topic, subscriber), TimeSpan.FromSeconds(10));
        var payload = new byte[o.Size];
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < count; i++) mediator.Tell(new Publish(topic, payload));
        await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        var seconds = sw.Elapsed.TotalSeconds;
        system.Stop(subscriber);
        return (all.Task.IsCompleted ? count : 0) / seconds;
    }

    private sealed class CountingSubscriber : ReceiveActor
    {
        private long _received;

        public CountingSubscriber(long expected, TaskCompletionSource all) =>
            Receive<byte[]>(_ =>
            {
                if (++_received == expected) all.TrySetResult();
            });
    }
}
