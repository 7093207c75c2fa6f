using System.Collections.Concurrent;
using System.Diagnostics;
using ActorPubSub.Observability;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>
/// Records the ActorPubSub activities that stop while it listens, keeping those of topics starting with a prefix
/// (ActivityListeners are process-wide; other tests publish meanwhile).
/// </summary>
public sealed class ActivityCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityCollector(string topicPrefix)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PubSubTelemetry.Name,
            // Only this test's spans (their names end with the topic): a publish of another test gets no span, hence no
            // trace headers, and its messages stay as that test made them.
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.Name.Contains(topicPrefix, StringComparison.Ordinal)
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("messaging.destination.name") is string topic && topic.StartsWith(topicPrefix, StringComparison.Ordinal))
                    _stopped.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public IReadOnlyList<Activity> Named(string displayName) => [.. _stopped.Where(a => a.DisplayName == displayName)];

    public void Dispose() => _listener.Dispose();
}
