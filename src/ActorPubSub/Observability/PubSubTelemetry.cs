using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActorPubSub.Observability;

/// <summary>
/// ActorPubSub's one <see cref="System.Diagnostics.Metrics.Meter"/> and one <see cref="System.Diagnostics.ActivitySource"/>,
/// both named <see cref="Name"/>. OpenTelemetry (<c>AddMeter("ActorPubSub")</c>, <c>AddSource("ActorPubSub")</c>),
/// <c>dotnet-counters monitor --counters ActorPubSub</c> and a <see cref="MeterListener"/> read them without glue.
/// </summary>
/// <remarks>
/// Process-wide, like every Meter: several ActorSystems in one process report into the same instruments. Without a
/// listener the instruments cost a check of an empty subscription list and no activity is created.
/// </remarks>
public static class PubSubTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "ActorPubSub";

    private static readonly string? Version = typeof(PubSubTelemetry).Assembly.GetName().Version?.ToString();

    public static Meter Meter { get; } = new(Name, Version);

    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    /// <summary>
    /// How many distinct topics, and how many distinct (topic, subscription) pairs, get a tag value of their own;
    /// later ones are tagged <c>_other</c>, so a process creating topics without end cannot grow the metric
    /// series without end. Process-wide, counted from process start; raise it before the topics start.
    /// <b>Default:</b> 1,000.
    /// </summary>
    public static int MaxTagValues
    {
        get => TagValues.Shared.Limit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            TagValues.Shared.Limit = value;
        }
    }
}
