using Akka.Hosting;
using ActorPubSub.DeadLetters;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>
/// The dead-letter shard region of a real node (registered by WithActorPubSub, SQLite): commands reach the
/// store through sharding, and letters survive a restart of the node.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterRegionSpec : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Region_should_route_to_the_store_and_keep_its_letters_across_a_node_restart()
    {
        // arrange
        var options = new PubSubOptions { SqliteFile = _db.File };
        var incarnation = Guid.NewGuid();
        await using (var first = await PubSubNode.StartAsync(options))
        {
            var region = ActorRegistry.For(first.System).Get<DeadLetterRegion>();
            var probe = new Akka.TestKit.Xunit2.TestKit(first.System).CreateTestProbe();
            probe.IgnoreMessages<DeadLetterCount>();   // the count that follows each answer is for the topic's gauges

            // act
            region.Tell(new StoreDeadLetters("orders", "billing", incarnation, Letters(1, 10, 11)), probe);
            region.Tell(new StoreDeadLetters("orders", "shipping", incarnation, Letters(1, 10)), probe);

            // assert: one store per subscription
            var stored = new[] { await probe.ExpectMsgAsync<DeadLettersStored>(Wait), await probe.ExpectMsgAsync<DeadLettersStored>(Wait) };
            Assert.Equal(new[] { ("billing", 2L), ("shipping", 1L) }, stored.Select(s => (s.Subscription, s.UpToId)).Order().ToArray());
            await first.StopAsync();   // hand-off stops the stores with DeadLetterStop
        }

        await using var second = await PubSubNode.StartAsync(options);
        var again = new Akka.TestKit.Xunit2.TestKit(second.System).CreateTestProbe();
        ActorRegistry.For(second.System).Get<DeadLetterRegion>().Tell(new ListDeadLetters("orders", "billing", 0, 10), again);
        var page = await again.ExpectMsgAsync<DeadLetterPage>(Wait);
        Assert.Equal(new long[] { 10, 11 }, page.Letters.Select(l => l.Message.Sequence).ToArray());
    }
}
