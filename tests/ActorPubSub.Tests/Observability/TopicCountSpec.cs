using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using static ActorPubSub.Observability.InstrumentNames;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>Runs alone: the topic gauges count every topic of the process, so only here are their deltas exact.</summary>
[CollectionDefinition(nameof(TopicCountCollection), DisableParallelization = true)]
public sealed class TopicCountCollection;

/// <summary>
/// Active topics are the topic actors running on the node; passivated ones are those that stopped after their idle
/// timeout and have not started again.
/// </summary>
[Collection(nameof(TopicCountCollection))]
[Trait("Category", "Integration")]
public sealed class TopicCountSpec : NodeSpec, IDisposable
{
    private readonly string _prefix = $"obs-topics-{Guid.NewGuid():N}";
    private readonly MeterCollector _meter;

    public TopicCountSpec() => _meter = new MeterCollector("obs-topics-");

    protected override PubSubOptions Options => new() { TopicIdleTimeout = TimeSpan.FromSeconds(3) };

    public void Dispose() => _meter.Dispose();

    [Fact]
    public async Task Topics_should_count_as_active_while_running_and_as_passivated_after_their_idle_timeout()
    {
        // arrange
        var active = (long)_meter.Gauge(TopicsActive)!.Value;
        var passivated = (long)_meter.Gauge(TopicsPassivated)!.Value;
        string[] topics = [$"{_prefix}-a", $"{_prefix}-b", $"{_prefix}-c"];

        // act: three topics start
        foreach (var topic in topics) await Node.Client.PublishAsync(topic, "hello");

        // assert: each of the three is active or (on a slow machine, already) passivated; after their idle timeout,
        // three more passivated and none more active
        Assert.Equal(3, _meter.Gauge(TopicsActive) - active + _meter.Gauge(TopicsPassivated) - passivated);
        await Eventually.HoldsAsync(() => _meter.Gauge(TopicsPassivated) == passivated + 3 && _meter.Gauge(TopicsActive) == active,
            "the three topics passivated");

        // act: one comes back
        await Node.Client.PublishAsync(topics[0], "again");

        // assert (it stays active for its idle timeout)
        await Eventually.HoldsAsync(() => _meter.Gauge(TopicsActive) == active + 1 && _meter.Gauge(TopicsPassivated) == passivated + 2,
            "one topic is active again and two stay passivated");
    }
}
