using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>The actor-native consumer protocol: credit windows, acks, DeathWatch, passivation.</summary>
[Trait("Category", "Integration")]
public sealed class ConsumerProtocolSpec : NodeSpec
{
    protected override PubSubOptions Options => new PubSubOptions { TopicIdleTimeout = TimeSpan.FromSeconds(1) };

    private static Payload Bytes(int i) => new(4, "", [(byte)i]);

    [Fact]
    public async Task Topic_should_deliver_no_more_than_the_consumer_window_until_acks_arrive()
    {
        // arrange: 10 messages, a consumer with a window of 3
        await Node.Client.CreateSubscriptionAsync("window", "s");
        for (var i = 1; i <= 10; i++) await Node.Client.PublishAsync("window", new byte[] { (byte)i });
        var consumer = Kit.CreateTestProbe();

        // act
        Node.Region.Tell(new Consume("window", "s", consumer.Ref, 3), consumer.Ref);

        // assert: 3 in flight, then one more per ack
        await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));
        var first = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L, 3L], first.Messages.Select(m => m.Sequence));
        Assert.Equal([1, 1, 1], first.Attempts.ToArray());
        await consumer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Node.Region.Tell(new Ack("window", "s", [2]), consumer.Ref);
        var next = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
        Assert.Equal([4L], next.Messages.Select(m => m.Sequence));
    }

    [Fact]
    public async Task Deliveries_of_a_terminated_consumer_should_go_to_the_next_consumer_at_once()
    {
        // arrange: the first consumer takes both messages and dies without acking or saying goodbye
        await Node.Client.CreateSubscriptionAsync("watch", "s", new ActorPubSub.SubscriptionOptions { AckDeadline = TimeSpan.FromMinutes(10) });
        await Node.Client.PublishAsync("watch", new byte[] { 1 });
        await Node.Client.PublishAsync("watch", new byte[] { 2 });
        var doomed = Kit.CreateTestProbe();
        Node.Region.Tell(new Consume("watch", "s", doomed.Ref, 10), doomed.Ref);
        await doomed.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));
        var held = await doomed.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
        Assert.Equal(2, held.Messages.Length);
        var survivor = Kit.CreateTestProbe();
        Node.Region.Tell(new Consume("watch", "s", survivor.Ref, 10), survivor.Ref);
        await survivor.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));

        // act
        Node.System.Stop(doomed.Ref);

        // assert: DeathWatch frees them long before the 10-minute ack deadline
        var redelivered = await survivor.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L], redelivered.Messages.Select(m => m.Sequence));
        Assert.Equal([2, 2], redelivered.Attempts.ToArray());
    }

    [Fact]
    public async Task Idle_topic_should_passivate_and_recover_on_its_next_message()
    {
        // arrange
        await Node.Client.PublishAsync("sleepy", new byte[] { 1 });
        var probe = Kit.CreateTestProbe();
        var state = await Eventually.HoldsAsync(
            async () => await Node.Region.Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(
                Akka.Cluster.Sharding.GetShardRegionState.Instance, TimeSpan.FromSeconds(5)),
            s => s.Shards.All(shard => !shard.EntityIds.Contains("sleepy")), "the idle topic was passivated");

        // act
        var receipt = await Node.Client.PublishAsync("sleepy", new byte[] { 2 });

        // assert: recovered from the journal, sequence continues
        Assert.Equal(2, receipt.Sequence);
        Assert.Equal(2, (await Node.Client.GetTopicInfoAsync("sleepy")).RetainedMessages);
    }

    [Fact]
    public async Task Nack_should_redeliver_after_the_delay_with_the_next_attempt()
    {
        await Node.Client.CreateSubscriptionAsync("nack", "s");
        await Node.Client.PublishAsync("nack", new byte[] { 1 });
        var consumer = Kit.CreateTestProbe();
        Node.Region.Tell(new Consume("nack", "s", consumer.Ref, 10), consumer.Ref);
        await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));
        var first = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));

        Node.Region.Tell(new Nack("nack", "s", first.Messages[0].Sequence, TimeSpan.FromMilliseconds(300), "boom"), consumer.Ref);

        var again = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
        Assert.Equal((1L, 2), (again.Messages[0].Sequence, again.Attempts[0]));
    }
}
