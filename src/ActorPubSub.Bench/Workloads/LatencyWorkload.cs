using System.Diagnostics;
using ActorPubSub.Client;
using HdrHistogram;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench.Workloads;

/// <summary>
/// W1 at a fixed rate (--rate msgs/s for --seconds after a 1 s warm-up): end-to-end latency from the
/// publish call to the handler, as the peers' harness measures it (publishes paced in 1 ms steps).
/// </summary>
internal static class LatencyWorkload
{
    public static async Task<BenchResult> RunAsync(BenchCluster cluster, BenchOptions o, bool measured)
    {
        var topic = $"latency-{Guid.NewGuid():N}";
        var warmup = o.Rate;   // one second
        var total = (long)o.Rate * o.Seconds + warmup;
        var histogram = new LongHistogram(TimeStamp.Hours(1), 3);
        var receiver = new Receiver(total, payload =>
        {
            if (Payloads.Number(payload) < warmup) return;
            var micros = (long)Payloads.MicrosSincePublish(payload);
            lock (histogram) histogram.RecordValue(Math.Max(1, micros));
        });
        await using var sub = await cluster.Client.SubscribeAsync<byte[]>(topic, "latency", receiver.Handle,
            null, new ConsumerOptions { MaxInFlight = o.MaxInFlight });

        using var progress = measured ? new Progress("latency", total, o.Progress) : null;
        var peak = new PeakMemory();
        var pending = new List<Task>();
        var sw = Stopwatch.StartNew();
        long sent = 0;
        while (sent < total)
        {
            var due = Math.Min(total, (long)(sw.Elapsed.TotalSeconds * o.Rate));
            progress?.Add(due - sent);
            for (; sent < due; sent++) pending.Add(cluster.Client.PublishAsync(topic, Payloads.Create(o.Size, sent)));
            await Task.Delay(1);
        }
        await Task.WhenAll(pending);
        await receiver.All;
        var seconds = sw.Elapsed.TotalSeconds;

        return new BenchResult
        {
            Workload = "latency",
            Store = o.Store,
            Topology = cluster.Topology,
            Messages = total - warmup,
            Seconds = seconds,
            PublishPerSecond = total / seconds,
            EndToEndPerSecond = total / seconds,
            P50Micros = histogram.GetValueAtPercentile(50),
            P99Micros = histogram.GetValueAtPercentile(99),
            P999Micros = histogram.GetValueAtPercentile(99.9),
            MaxMicros = histogram.GetMaxValue(),
            Duplicates = receiver.Duplicates,
            PeakWorkingSetMb = peak.Stop(),
            Note = $"{o.Rate:N0} msg/s for {o.Seconds} s after 1 s warm-up; publish call to handler",
        };
    }
}
