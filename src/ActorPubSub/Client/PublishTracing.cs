using System.Diagnostics;
using ActorPubSub.Observability;
using ActorPubSub.Topics;

namespace ActorPubSub.Client;

/// <summary>
/// The producer span of a publish: from <c>PublishAsync</c> until the topic confirmed the message persisted (its
/// receipt), a child of the caller's current activity. Its context goes into the message's headers.
/// </summary>
internal static class PublishTracing
{
    /// <summary>Null when no listener is attached (then nothing is allocated).</summary>
    public static Activity? Start(string topic, string? messageId, string? correlationId, bool transient)
    {
        if (!PubSubTelemetry.ActivitySource.HasListeners()) return null;
        var activity = TraceContext.StartDetached($"publish {topic}", ActivityKind.Producer);
        if (activity is not { IsAllDataRequested: true }) return activity;
        activity.SetTag(TraceContext.SystemTag, TraceContext.SystemValue);
        activity.SetTag(TraceContext.DestinationTag, topic);
        activity.SetTag(TraceContext.OperationTag, "send");
        if (messageId is not null) activity.SetTag(TraceContext.MessageIdTag, messageId);
        if (correlationId is not null) activity.SetTag(TraceContext.CorrelationIdTag, correlationId);
        if (transient) activity.SetTag("actorpubsub.transient", true);
        return activity;
    }

    /// <summary>Ends the span when the publish completes: with the sequence number, or as an error.</summary>
    public static void StopWhenDone(Activity activity, Task<PublishReceipt> publish) =>
        publish.ContinueWith(static (task, state) =>
        {
            var span = (Activity)state!;
            if (task.IsCompletedSuccessfully)
            {
                span.SetTag(TraceContext.SequenceTag, task.Result.Sequence);
                if (task.Result.Duplicate) span.SetTag("actorpubsub.duplicate", true);
                span.AddEvent(new ActivityEvent("persisted"));
            }
            else span.SetStatus(ActivityStatusCode.Error, task.Exception?.InnerException?.Message ?? "cancelled");
            TraceContext.StopDetached(span);
        }, activity, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
