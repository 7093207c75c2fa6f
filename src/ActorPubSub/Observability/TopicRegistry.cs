using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ActorPubSub.Observability;

/// <summary>
/// The topics of this process for the gauges: the running topic actors (active) and the names of those that
/// stopped after their idle timeout and have not started again (passivated). A topic that stopped for another
/// reason (hand-off to another node, shutdown, a crash) is neither. Changed when a topic starts or stops, read
/// when a collector asks.
/// </summary>
internal static class TopicRegistry
{
    private static readonly ConcurrentDictionary<TopicMetrics, byte> Running = new();
    private static readonly ConcurrentDictionary<string, byte> Passivated = new(StringComparer.Ordinal);

    public static int ActiveCount => Running.Count;
    public static int PassivatedCount => Passivated.Count;

    public static void Started(TopicMetrics topic)
    {
        Running.TryAdd(topic, 0);
        Passivated.TryRemove(topic.Topic, out _);
    }

    public static void Stopped(TopicMetrics topic, bool passivated)
    {
        Running.TryRemove(topic, out _);
        if (passivated) Passivated.TryAdd(topic.Topic, 0);
    }

    public static IEnumerable<Measurement<long>> Observe(Func<SubscriptionMetrics, long> value)
    {
        foreach (var topic in Running.Keys)
            foreach (var subscription in topic.Subscriptions)
                yield return new Measurement<long>(value(subscription), subscription.Tags);
    }

    public static IEnumerable<Measurement<double>> ObserveAge(DateTime utcNow)
    {
        foreach (var topic in Running.Keys)
            foreach (var subscription in topic.Subscriptions)
                yield return new Measurement<double>(subscription.LagAge(utcNow), subscription.Tags);
    }
}
