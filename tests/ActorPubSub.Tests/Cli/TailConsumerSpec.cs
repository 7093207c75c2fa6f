using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using ActorPubSub.Messages;
using ActorPubSub.Node.Admin.PubSub;
using ActorPubSub.Topics;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// The consumer behind <c>pubsub tail</c> against probes for the shard region and the topic actors: it registers
/// through the region, and acks what the stream wrote to the topic actor that delivered it, so its acks survive a
/// shard hand-off the way the client's consumer's do.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TailConsumerSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING", output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private static Deliver Delivery(long sequence, int attempt) =>
        new("orders", "pbm-tail", [new TopicMessage(sequence, DateTime.UtcNow, new Payload(4, "", [1]), null, null, null)], [attempt]);

    private async Task<(IActorRef Tail, Akka.TestKit.TestProbe Region, ChannelReader<TailConsumer.Item> Stream)> StartAsync()
    {
        var region = CreateTestProbe();
        var stream = Channel.CreateUnbounded<TailConsumer.Item>();
        var tail = Sys.ActorOf(TailConsumer.Props(region, "orders", "pbm-tail", stream.Writer, TimeSpan.FromMinutes(1)));
        Assert.Equal(TailConsumer.Window, (await region.ExpectMsgAsync<Consume>()).MaxInFlight);
        return (tail, region, stream.Reader);
    }

    private static async Task WriteAsync(IActorRef tail, ChannelReader<TailConsumer.Item> stream)
    {
        var item = await stream.ReadAsync();
        tail.Tell(new TailConsumer.Written(item.Message.Sequence, item.Attempt));
    }

    [Fact]
    public async Task Tail_should_ack_to_the_topic_actor_that_delivered_not_through_the_region()
    {
        // arrange
        var (tail, region, stream) = await StartAsync();
        var topic = CreateTestProbe();

        // act
        topic.Send(tail, Delivery(1, attempt: 1));
        await WriteAsync(tail, stream);
        topic.Send(tail, Delivery(2, attempt: 0));
        await WriteAsync(tail, stream);

        // assert
        Assert.Equal(new[] { 1L }, (await topic.ExpectMsgAsync<Ack>()).Sequences);
        Assert.Equal(new TransientDone("orders", "pbm-tail", 1), await topic.ExpectMsgAsync<TransientDone>());
        await region.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Tail_should_ack_to_the_new_incarnation_after_a_topic_hand_off()
    {
        // arrange
        var (tail, region, stream) = await StartAsync();
        var before = CreateTestProbe();
        var after = CreateTestProbe();
        before.Send(tail, Delivery(1, attempt: 1));
        await WriteAsync(tail, stream);
        await before.ExpectMsgAsync<Ack>();

        // act: the shard moved; the topic's new incarnation redelivers what was in flight and goes on
        after.Send(tail, Delivery(2, attempt: 1));
        await WriteAsync(tail, stream);

        // assert
        Assert.Equal(new[] { 2L }, (await after.ExpectMsgAsync<Ack>()).Sequences);
        await before.ExpectNoMsgAsync(Quiet);
        await region.ExpectNoMsgAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task Tail_should_tell_the_region_it_stops_consuming_when_stopped()
    {
        // arrange
        var (tail, region, stream) = await StartAsync();
        var topic = CreateTestProbe();
        topic.Send(tail, Delivery(1, attempt: 1));
        await stream.ReadAsync();

        // act
        await tail.GracefulStop(TimeSpan.FromSeconds(5));

        // assert
        Assert.Equal(tail, (await region.ExpectMsgAsync<StopConsuming>()).Consumer);
        await stream.Completion;
    }
}
