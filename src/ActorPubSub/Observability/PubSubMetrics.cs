using System.Diagnostics.Metrics;

namespace ActorPubSub.Observability;

/// <summary>
/// The instruments of <see cref="PubSubTelemetry.Meter"/>. Counters and histograms are recorded by the actors that
/// see the fact (with tag arrays built once per topic and subscription); gauges are observed when a collector asks,
/// from the values the running topics published in <see cref="TopicRegistry"/>.
/// </summary>
internal static class PubSubMetrics
{
    private static Meter Meter => PubSubTelemetry.Meter;

    // Every counter counts messages (or attempts at one), so they share their unit.
    private static Counter<long> MessageCounter(string name, string description) =>
        Meter.CreateCounter<long>(name, "{message}", description);

    public static readonly Counter<long> Published = MessageCounter(InstrumentNames.MessagesPublished, "Messages persisted by their topic");
    public static readonly Counter<long> Delivered = MessageCounter(InstrumentNames.MessagesDelivered, "Deliveries sent to consumers, redeliveries included");
    public static readonly Counter<long> Redelivered = MessageCounter(InstrumentNames.MessagesRedelivered, "Deliveries with attempt 2 or more");
    public static readonly Counter<long> Acked = MessageCounter(InstrumentNames.MessagesAcked, "Messages acknowledged by a consumer");
    public static readonly Counter<long> Nacked = MessageCounter(InstrumentNames.MessagesNacked, "Failed attempts reported by consumers");
    public static readonly Counter<long> Expired = MessageCounter(InstrumentNames.MessagesExpired, "Deliveries not acknowledged within the ack deadline");
    public static readonly Counter<long> Dropped = MessageCounter(InstrumentNames.MessagesDropped,
        "Messages the topic's limits dropped before the subscription acknowledged them (when-full drop-oldest, max-retained-age)");
    public static readonly Counter<long> TransientDropped = MessageCounter(InstrumentNames.TransientDropped,
        "Transient messages dropped: by a topic for a subscription whose consumers had no room (tags topic, subscription), " +
        "or by a client's transient buffer under a drop overflow policy (tag topic)");
    public static readonly Counter<long> DeadLettered = MessageCounter(InstrumentNames.MessagesDeadLettered, "Messages moved to the dead-letter store");

    public static readonly Histogram<double> WriteDuration = Meter.CreateHistogram<double>(
        InstrumentNames.JournalWriteDuration, "s", "Duration of a topic's journal write (one group commit)",
        advice: new InstrumentAdvice<double>
        {
            // Commits take from ~0.1 ms (no fsync) to seconds (a stalled database): the SDK's default buckets start at 5 s.
            HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    public static readonly Histogram<long> WriteBatchSize = Meter.CreateHistogram<long>(
        InstrumentNames.JournalWriteBatchSize, "{message}", "Messages in one group commit",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 4000] });

    static PubSubMetrics()
    {
        Meter.CreateObservableGauge(InstrumentNames.ConsumerLag, () => TopicRegistry.Observe(s => s.Lag), "{message}",
            "Messages a subscription has not acknowledged");
        Meter.CreateObservableGauge(InstrumentNames.ConsumerLagAge, () => TopicRegistry.ObserveAge(DateTime.UtcNow), "s",
            "Age of the oldest message a subscription has not acknowledged (0 when none)");
        Meter.CreateObservableGauge(InstrumentNames.InFlight, () => TopicRegistry.Observe(s => s.InFlight), "{message}",
            "Deliveries sent and not yet acknowledged, nacked or expired");
        Meter.CreateObservableGauge(InstrumentNames.Consumers, () => TopicRegistry.Observe(s => s.Consumers), "{consumer}",
            "Registered consumers of a subscription");
        Meter.CreateObservableGauge(InstrumentNames.DeadLetterDepth, () => TopicRegistry.Observe(s => s.DeadLetters), "{message}",
            "Letters in a subscription's dead-letter store plus those on their way there");
        Meter.CreateObservableGauge(InstrumentNames.TopicsActive, () => (long)TopicRegistry.ActiveCount, "{topic}",
            "Topic actors running on this node");
        Meter.CreateObservableGauge(InstrumentNames.TopicsPassivated, () => (long)TopicRegistry.PassivatedCount, "{topic}",
            "Topics that stopped after their idle timeout on this node and have not started again");
    }

    /// <summary>Creates the instruments (the static constructor) before the first topic records into them.</summary>
    public static void EnsureCreated() { }
}
