using System.Diagnostics;
using ActorPubSub.Messages;

namespace ActorPubSub.Observability;

/// <summary>
/// The consumer span of one handler invocation: the child of the message's publish span (same trace, so a trace
/// shows publish → persist → process with its outcome) and linked to it as well, for back-ends that follow links.
/// A message without trace context gets a span of its own.
/// </summary>
internal static class ConsumerTracing
{
    /// <summary>Null when no listener is attached.</summary>
    public static Activity? Start(string topic, string subscription, TopicMessage message, int attempt)
    {
        if (!PubSubTelemetry.ActivitySource.HasListeners()) return null;
        ActivityLink[]? links = TraceContext.TryExtract(message.Headers, out var publish) ? [new ActivityLink(publish)] : null;
        var activity = TraceContext.StartDetached($"process {topic}", ActivityKind.Consumer, publish, links);
        if (activity is not { IsAllDataRequested: true }) return activity;
        activity.SetTag(TraceContext.SystemTag, TraceContext.SystemValue);
        activity.SetTag(TraceContext.DestinationTag, topic);
        activity.SetTag(TraceContext.OperationTag, "process");
        activity.SetTag(TraceContext.ConsumerGroupTag, subscription);
        activity.SetTag(TraceContext.SequenceTag, message.Sequence);
        activity.SetTag(TraceContext.AttemptTag, attempt);
        if (message.MessageId is not null) activity.SetTag(TraceContext.MessageIdTag, message.MessageId);
        if (TraceContext.CorrelationIdOf(message.Headers) is { } correlationId) activity.SetTag(TraceContext.CorrelationIdTag, correlationId);
        return activity;
    }

    /// <summary>Ends the span with the handler's outcome: <c>ack</c>, or <c>nack</c> with the error.</summary>
    public static void Stop(Activity activity, string? error)
    {
        activity.SetTag(TraceContext.OutcomeTag, error is null ? "ack" : "nack");
        if (error is not null) activity.SetStatus(ActivityStatusCode.Error, error);
        TraceContext.StopDetached(activity);
    }
}
