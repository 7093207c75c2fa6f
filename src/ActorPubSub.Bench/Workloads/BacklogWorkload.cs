using System.Diagnostics;
using ActorPubSub.Client;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench.Workloads;

/// <summary>
/// W5 (backlog): one topic with one durable subscription whose consumer is not running; --count confirmed publishes
/// (refusals, e.g. TopicFull, are counted, not fatal). Then the node stops and starts again on the same store, the
/// consumer starts, and the time from the restart to its first delivery is the recovery; then it drains the whole
/// backlog with acks. Reports the process's peak RSS per phase and the store's size on disk (peak, and after the
/// drain once it stopped shrinking). The node runs with the product's defaults, on a store of the run's own.
/// </summary>
internal static class BacklogWorkload
{
    private const string Subscription = "backlog";
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DiskSettleLimit = TimeSpan.FromSeconds(90);

    public static async Task<BenchResult> RunAsync(BenchOptions o, long count, bool measured)
    {
        await using var scratch = o.Postgres is null ? null : await ScratchDatabase.CreateAsync(o.Postgres, "actorpubsub_w5");
        var store = scratch is null ? o : o with { Postgres = scratch.ConnectionString };
        var sqlite = scratch is null ? Path.Combine(Path.GetTempPath(), $"actorpubsub-bench-w5-{Guid.NewGuid():N}.db") : null;
        try
        {
            await using var disk = sqlite is not null ? StoreSize.Sqlite(sqlite) : StoreSize.Postgres(store.Postgres!);
            return await RunAsync(o, store, sqlite, disk, count, measured);
        }
        finally
        {
            if (sqlite is not null)
                foreach (var f in new[] { sqlite, sqlite + "-wal", sqlite + "-shm" })
                    File.Delete(f);
        }
    }

    private static async Task<BenchResult> RunAsync(BenchOptions o, BenchOptions store, string? sqlite, StoreSize disk, long count,
        bool measured)
    {
        var topic = $"w5-{Guid.NewGuid():N}";

        // publish: the subscription exists before the first message, its consumer does not run
        var cluster = await BenchCluster.StartAsync(store, sqlite, productDefaults: true);
        await cluster.Client.CreateSubscriptionAsync(topic, Subscription);
        var publishPeak = new PeakMemory();
        var publishStart = Stopwatch.GetTimestamp();
        Publisher.Outcome outcome;
        using (var progress = measured ? new Progress("w5 publish", count, o.Progress) : null)
            outcome = await Publisher.PublishAsync(cluster.Client, _ => topic, count, o.Size, o.Window, progress, tolerateRefusals: true,
                Payloads.CreateIncompressible);
        var publishEnd = Stopwatch.GetTimestamp();
        var publishRss = publishPeak.Stop();
        var backlog = (await cluster.Client.GetTopicInfoAsync(topic)).Subscriptions.Single(s => s.Name == Subscription).Pending;
        if (backlog == 0)
            throw new InvalidOperationException(
                $"w5: the topic holds nothing after {count:N0} publishes ({outcome.RefusedTotal:N0} refused, {outcome.TimedOut:N0} timed out).");
        // Until the last receipt: refusals after the topic filled up do not dilute the rate of what was stored.
        var publishSeconds = Stopwatch.GetElapsedTime(publishStart, outcome.LastReceiptTimestamp is 0 ? publishEnd : outcome.LastReceiptTimestamp).TotalSeconds;
        Console.Error.WriteLine($"w5: {count:N0} publishes in {Stopwatch.GetElapsedTime(publishStart, publishEnd).TotalSeconds:F1} s: " +
                                $"{outcome.Confirmed:N0} confirmed, {outcome.RefusedTotal:N0} refused, {outcome.TimedOut:N0} timed out");
        await cluster.StopAsync(deleteData: false);
        // What the stopped node left on the heap would otherwise count toward the recovery's peak.
        Collect();
        var restartRss = Environment.WorkingSet / (1024 * 1024);

        // recover: a new node on the same store; from its start to the consumer's first delivery
        using var catchUpProgress = measured ? new Progress("w5 catch-up", backlog, o.Progress) : null;
        var firstDelivery = 0L;
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = new Receiver(backlog, _ =>
        {
            if (Interlocked.Read(ref firstDelivery) == 0 && Interlocked.CompareExchange(ref firstDelivery, Stopwatch.GetTimestamp(), 0) == 0)
                first.TrySetResult();
            catchUpProgress?.Add(1);
        }, numbers: count);
        var recoverPeak = new PeakMemory();
        var restart = Stopwatch.GetTimestamp();
        await using var restarted = await BenchCluster.StartAsync(store, sqlite, productDefaults: true);
        var consumer = await restarted.Client.SubscribeAsync<byte[]>(topic, Subscription, receiver.Handle,
            null, new ConsumerOptions { MaxInFlight = o.MaxInFlight });
        await first.Task.WaitAsync(TimeSpan.FromMinutes(10));
        var recoverSeconds = Stopwatch.GetElapsedTime(restart, firstDelivery).TotalSeconds;
        var recoverRss = recoverPeak.Stop();

        // catch up: every message of the backlog delivered and acknowledged
        var catchUpPeak = new PeakMemory();
        await DrainAsync(receiver);
        await AllAckedAsync(restarted.Client, topic);
        var drainSeconds = Stopwatch.GetElapsedTime(firstDelivery).TotalSeconds;
        var catchUpRss = catchUpPeak.Stop();
        await consumer.DisposeAsync();

        // The unmeasured warm-up does not wait for the store to give space back (its result is dropped).
        var (diskMb, waited) = measured ? await disk.SettledAsync(DiskSettleLimit) : (disk.PeakMb, TimeSpan.Zero);
        var peakDiskMb = Math.Max(disk.PeakMb, diskMb);
        var peakRss = Math.Max(publishRss, Math.Max(recoverRss, catchUpRss));
        var refused = outcome.RefusedTotal;
        var refusedBy = refused == 0 ? "" : $" ({string.Join(", ", outcome.Refused.Select(r => $"{r.Key} {r.Value:N0}"))})";
        return new BenchResult
        {
            Workload = "w5",
            Store = o.Store,
            Topology = restarted.Topology,
            Messages = backlog,
            Seconds = publishSeconds + recoverSeconds + drainSeconds,
            PublishPerSecond = outcome.Confirmed / publishSeconds,
            EndToEndPerSecond = backlog / drainSeconds,
            Duplicates = receiver.Duplicates,
            PeakWorkingSetMb = peakRss,
            BacklogMessages = backlog,
            PublishMsgsS = outcome.Confirmed / publishSeconds,
            Refused = refused,
            PublishTimeouts = outcome.TimedOut,
            RecoverSeconds = Math.Round(recoverSeconds, 3),
            CatchupMsgsS = backlog / drainSeconds,
            PeakRssMb = peakRss,
            PeakRssPublishMb = publishRss,
            PeakRssRecoverMb = recoverRss,
            PeakRssCatchupMb = catchUpRss,
            DiskMb = diskMb,
            PeakDiskMb = peakDiskMb,
            DiskWaitSeconds = Math.Round(waited.TotalSeconds, 1),
            Note = $"{count:N0} published, {refused:N0} refused{refusedBy}, {outcome.TimedOut:N0} timed out; recover {recoverSeconds:F2} s; " +
                   $"RSS MB publish/recover/catch-up {publishRss}/{recoverRss}/{catchUpRss} ({restartRss} at restart); " +
                   $"disk MB peak {peakDiskMb:F1}, {diskMb:F1} after drain and {waited.TotalSeconds:F0} s",
        };
    }

    /// <summary>Waits for every message of the backlog; fails when none arrives for <see cref="StallLimit"/>.</summary>
    private static async Task DrainAsync(Receiver receiver)
    {
        while (!receiver.All.IsCompleted)
        {
            var before = receiver.Distinct;
            await Task.WhenAny(receiver.All, Task.Delay(StallLimit));
            if (!receiver.All.IsCompleted && receiver.Distinct == before)
                throw new TimeoutException($"w5: the catch-up stalled at {before:N0} messages for {StallLimit.TotalSeconds:F0} s.");
        }
    }

    /// <summary>Handled is not yet acknowledged: waits until the topic has every ack.</summary>
    private static async Task AllAckedAsync(IPubSub pubsub, string topic)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var s = (await pubsub.GetTopicInfoAsync(topic)).Subscriptions.Single(i => i.Name == Subscription);
            if (s.Pending == 0) return;
            if (sw.Elapsed > StallLimit) throw new TimeoutException($"w5: {s.Pending:N0} messages still unacknowledged after the drain.");
            await Task.Delay(10);
        }
    }

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
