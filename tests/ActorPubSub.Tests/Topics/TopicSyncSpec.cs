using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorPubSub.Hosting;
using ActorPubSub.Journal;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// A topic on SQLite with synchronous FULL and delivery before the fsync (the defaults): its subscribers get a message once
/// the journal has written it, and its publisher's receipt waits for the journal's report that the write is synced. The
/// journal (real SQLite, real fsync) tells the topic of each sync; the test stands between the two and holds those reports,
/// so "before the sync" is a state the test controls, not a race it hopes to win.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TopicSyncSpec : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private const string Topic = "synced";

    private readonly TempDatabase _db = new();
    private PubSubNode _node = null!;
    private SyncNotices _notices = null!;
    private TestProbe _held = null!;      // where the journal's sync reports for the topic go while the test holds them
    private IActorRef _topic = null!;

    public async Task InitializeAsync()
    {
        _node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        await _node.Client.CreateSubscriptionAsync(Topic, "s");   // the topic has started and listens for its syncs
        _notices = SyncNotices.For(_node.System);
        _topic = _notices.ListenerOf(TopicNames.TopicPersistenceId(Topic)) ?? throw new InvalidOperationException("the topic does not listen");
        _held = new TestProbe(_node.System, new XunitAssertions());
        _notices.Listen(TopicNames.TopicPersistenceId(Topic), _held.Ref);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task A_subscriber_should_get_a_message_before_its_fsync_and_the_publisher_its_receipt_only_after()
    {
        // arrange
        var log = new DeliveryLog<int>();
        await using var subscription = await _node.Client.SubscribeAsync<int>(Topic, "s", log.Recording);

        // act: publish while the journal's sync reports are held
        var publish = _node.Client.PublishAsync(Topic, 7);

        // assert: delivered, and the journal has reported the write synced, yet the publisher is not confirmed until the
        // topic hears of that sync
        await log.ReceivedAsync(1, Wait);
        var synced = await _held.FishForMessageAsync<JournalSynced>(s => s.UpToSequenceNr > 0, Wait);
        Assert.False(publish.IsCompleted, "the receipt waits for the topic to hear of the fsync");
        Assert.Equal(7, log.All.Single().Message);

        _topic.Tell(synced);
        var receipt = await publish.WaitAsync(Wait);
        Assert.Equal(log.All.Single().Sequence, receipt.Sequence);
    }

    [Fact]
    public async Task A_failed_fsync_should_refuse_the_publishes_that_waited_for_it_and_the_topic_should_go_on()
    {
        // arrange: a publish whose write is done and whose sync report is held
        var publish = _node.Client.PublishAsync(Topic, 1);
        var synced = await _held.FishForMessageAsync<JournalSynced>(s => s.UpToSequenceNr > 0, Wait);
        Assert.False(publish.IsCompleted, "the receipt waits for the topic to hear of the fsync");

        // act: the topic hears that the fsync failed
        _topic.Tell(new JournalSyncFailed(synced.UpToSequenceNr, new IOException("the disk refused the fsync")));

        // assert: the publisher is refused with the reason; the topic restarts and confirms the next publish (its new
        // incarnation listens for its syncs itself again)
        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => publish.WaitAsync(Wait));
        Assert.Equal(RejectionCode.StorageFailure, refused.Code);
        Assert.Contains("the disk refused the fsync", refused.Message, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => Task.FromResult(_notices.ListenerOf(TopicNames.TopicPersistenceId(Topic))),
            listener => Equals(listener, _topic), "the restarted topic listens again");
        Assert.True((await _node.Client.PublishAsync(Topic, 2).WaitAsync(Wait)).Sequence > 0);
    }

    [Fact]
    public async Task A_topic_told_to_stop_while_a_publish_waits_for_a_sync_should_write_and_confirm_it_before_it_stops()
    {
        // arrange: the first publish is written and its sync report held; the second waits in the topic, whose next
        // write waits for the last one's fsync (both from one sender, so the topic takes them and the stop in this order)
        var publisher = new TestProbe(_node.System, new XunitAssertions());
        publisher.Watch(_topic);
        _topic.Tell(new Publish(Topic, Bytes(1)), publisher.Ref);
        var first = await _held.FishForMessageAsync<JournalSynced>(s => s.UpToSequenceNr > 0, Wait);
        _topic.Tell(new Publish(Topic, Bytes(2)), publisher.Ref);

        // act: told to stop, as its shard tells it at a hand-off; then the reports go through
        _topic.Tell(TopicStop.Instance, publisher.Ref);
        _topic.Tell(first);
        var second = await _held.FishForMessageAsync<JournalSynced>(s => s.UpToSequenceNr > first.UpToSequenceNr, Wait);
        _topic.Tell(second);

        // assert: both publishes confirmed, in order, before the topic stopped; the next incarnation has both
        var receipts = new[] { await publisher.ExpectMsgAsync<PublishReceipt>(Wait), await publisher.ExpectMsgAsync<PublishReceipt>(Wait) };
        await publisher.ExpectTerminatedAsync(_topic, Wait);
        Assert.Equal(receipts[0].Sequence + 1, receipts[1].Sequence);
        Assert.Equal(receipts[1].Sequence, (await _node.Client.GetTopicInfoAsync(Topic)).LastSequence);
    }

    private static Payload Bytes(byte value) => new(4, "", [value]);   // Akka's byte-array serializer
}
