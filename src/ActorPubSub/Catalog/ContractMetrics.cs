using System.Diagnostics.Metrics;
using ActorPubSub.Observability;

namespace ActorPubSub.Catalog;

/// <summary>The catalogue's instruments on the ActorPubSub meter.</summary>
public static class ContractMetrics
{
    /// <summary>The counter's name.</summary>
    public const string ViolationsName = "actorpubsub.contract.violations";

    private static readonly Counter<long> Violations = PubSubTelemetry.Meter.CreateCounter<long>(ViolationsName, "{message}",
        "Published messages that failed their topic's schema (tags topic, validation: warn = stored, enforce = refused)");

    /// <summary>Counts one message that failed <paramref name="topic"/>'s schema.</summary>
    public static void Violation(string topic, ValidationMode mode) =>
        Violations.Add(1, new KeyValuePair<string, object?>(InstrumentNames.TopicTag, topic),
            new KeyValuePair<string, object?>("validation", CatalogNames.Name(mode)));
}
