using System.Collections.Immutable;
using System.Diagnostics;

namespace ActorPubSub.Observability;

/// <summary>
/// W3C trace context in message headers, and starting and stopping activities without disturbing
/// <see cref="Activity.Current"/> of the thread (an actor's thread runs other actors next).
/// </summary>
internal static class TraceContext
{
    // messaging semantic conventions (OpenTelemetry), plus our own attributes
    public const string SystemTag = "messaging.system";
    public const string SystemValue = "actorpubsub";
    public const string DestinationTag = "messaging.destination.name";
    public const string OperationTag = "messaging.operation.type";
    public const string MessageIdTag = "messaging.message.id";
    public const string ConsumerGroupTag = "messaging.consumer.group.name";
    public const string BatchCountTag = "messaging.batch.message_count";
    public const string CorrelationIdTag = "messaging.message.conversation_id";
    public const string SequenceTag = "actorpubsub.sequence";
    public const string AttemptTag = "actorpubsub.attempt";
    public const string OutcomeTag = "actorpubsub.outcome";

    /// <summary>The publish context a message carries, when it carries a valid one.</summary>
    public static bool TryExtract(ImmutableDictionary<string, string>? headers, out ActivityContext context)
    {
        context = default;
        return headers is not null && headers.TryGetValue(PubSubHeaders.TraceParent, out var parent) &&
               ActivityContext.TryParse(parent, headers.GetValueOrDefault(PubSubHeaders.TraceState), isRemote: true, out context);
    }

    /// <summary>
    /// The headers with <paramref name="activity"/>'s context and the correlation id set; the same instance when
    /// there is neither (no allocation on the untraced path).
    /// </summary>
    public static ImmutableDictionary<string, string>? Inject(ImmutableDictionary<string, string>? headers, Activity? activity,
        string? correlationId)
    {
        var traced = activity is { IdFormat: ActivityIdFormat.W3C };
        if (!traced && correlationId is null) return headers;
        var builder = (headers ?? ImmutableDictionary<string, string>.Empty).ToBuilder();
        if (traced)
        {
            builder[PubSubHeaders.TraceParent] = activity!.Id!;
            if (activity.TraceStateString is { Length: > 0 } state) builder[PubSubHeaders.TraceState] = state;
            else builder.Remove(PubSubHeaders.TraceState);
        }
        if (correlationId is not null) builder[PubSubHeaders.CorrelationId] = correlationId;
        return builder.ToImmutable();
    }

    public static string? CorrelationIdOf(ImmutableDictionary<string, string>? headers) =>
        headers is not null && headers.TryGetValue(PubSubHeaders.CorrelationId, out var id) ? id : null;

    /// <summary>Starts an activity and leaves <see cref="Activity.Current"/> as it was.</summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent = default,
        IEnumerable<ActivityLink>? links = null)
    {
        var previous = Activity.Current;
        var activity = PubSubTelemetry.ActivitySource.StartActivity(name, kind, parent, tags: null, links);
        if (activity is not null) Activity.Current = previous;
        return activity;
    }

    /// <summary>Stops <paramref name="activity"/> and leaves <see cref="Activity.Current"/> as it was (Stop would reset it).</summary>
    public static void StopDetached(Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        Activity.Current = ReferenceEquals(current, activity) ? activity.Parent : current;
    }
}
