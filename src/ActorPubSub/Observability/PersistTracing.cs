using System.Diagnostics;
using ActorPubSub.Messages;

namespace ActorPubSub.Observability;

/// <summary>
/// The span of one group commit on the topic's node: linked to the publish span of every traced message in the
/// write (at most <see cref="MaxLinks"/>), and the child of that span when the write carries exactly one, so a
/// lone publish shows publish → persist in one trace. No span for a write without traced messages.
/// </summary>
internal static class PersistTracing
{
    public const int MaxLinks = 64;

    public static Activity? Start(string topic, List<TopicMessage> messages)
    {
        if (!PubSubTelemetry.ActivitySource.HasListeners()) return null;
        List<ActivityLink>? links = null;
        foreach (var message in messages)
        {
            if (!TraceContext.TryExtract(message.Headers, out var context)) continue;
            (links ??= []).Add(new ActivityLink(context));
            if (links.Count == MaxLinks) break;
        }
        if (links is null) return null;
        var parent = links.Count == 1 ? links[0].Context : default;
        var activity = TraceContext.StartDetached($"persist {topic}", ActivityKind.Internal, parent, links);
        if (activity is not { IsAllDataRequested: true }) return activity;
        activity.SetTag(TraceContext.SystemTag, TraceContext.SystemValue);
        activity.SetTag(TraceContext.DestinationTag, topic);
        activity.SetTag(TraceContext.BatchCountTag, messages.Count);
        activity.SetTag("actorpubsub.first_sequence", messages[0].Sequence);
        return activity;
    }

    public static void Stop(Activity activity, Exception? rejected)
    {
        if (rejected is not null) activity.SetStatus(ActivityStatusCode.Error, rejected.Message);
        TraceContext.StopDetached(activity);
    }
}
