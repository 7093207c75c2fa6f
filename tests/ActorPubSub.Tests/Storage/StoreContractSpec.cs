using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Storage;

/// <summary>
/// The durability rules every store is held to, run once per database by a subclass (like Akka.Persistence.Sql's
/// TCK specs per provider): a publish is confirmed only once its journal row is committed; what was confirmed, acked,
/// dead-lettered and deduplicated is the same after a restart of the ActorSystem, recovered from the journal or from
/// a snapshot and the journal after it. Each test has an empty store of its own and restarts its node gracefully.
/// </summary>
public abstract class StoreContractSpec : IAsyncLifetime
{
    private const string Topic = "orders";
    private const string Subscription = "billing";
    private const string PersistenceId = $"topic:{Topic}";

    private TestStore _store = null!;
    private string? _hocon;

    /// <summary>The running node (a new one after <see cref="RestartAsync"/>).</summary>
    private PubSubNode Node { get; set; } = null!;

    private IPubSub Client => Node.Client;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        Node = await PubSubNode.StartAsync(_store.Apply(new PubSubOptions()));
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Publish_should_be_confirmed_only_after_its_commit_and_survive_a_restart()
    {
        // arrange
        const int count = 20;
        await Client.CreateSubscriptionAsync(Topic, Subscription);

        // act: one at a time, so each confirmation is one write of its own; the store is read after each
        for (var i = 1; i <= count; i++)
        {
            var rowsBefore = await JournalRowsAsync();
            var receipt = await Client.PublishAsync(Topic, $"order {i}");
            var rowsAfter = await JournalRowsAsync();

            // assert: another connection sees the write the moment the publish is confirmed
            Assert.Equal(i, receipt.Sequence);
            Assert.True(rowsAfter > rowsBefore, $"publish {i} was confirmed before its journal row was committed ({rowsBefore} rows before, {rowsAfter} after)");
        }
        await RestartAsync();

        // assert: the new ActorSystem recovers every confirmed message, delivers it, and publishing carries on after it
        var info = await Client.GetTopicInfoAsync(Topic);
        Assert.Equal(count, info.LastSequence);
        Assert.Equal(count, Assert.Single(info.Subscriptions).Pending);
        var log = new DeliveryLog<string>();
        await using var subscription = await Client.SubscribeAsync<string>(Topic, Subscription, log.Recording);
        await log.ReceivedAsync(count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (i, $"order {i}")),
            log.All.Select(d => ((int)d.Sequence, d.Message)).Distinct().Order());
        Assert.Equal(count + 1, (await Client.PublishAsync(Topic, "after")).Sequence);
    }

    [Fact]
    public async Task Recovery_should_start_from_the_latest_snapshot_and_replay_the_journal_after_it()
    {
        // arrange: a small snapshot threshold; 40 messages (the first with a publisher id) consumed and acked, so the
        // topic retains nothing and snapshots, then 5 more that are not consumed: the journal tail after the snapshot
        await RestartAsync("actorpubsub.topic.min-snapshot-bytes = 2 KiB");
        const int acked = 40, tail = 5;
        await Client.CreateSubscriptionAsync(Topic, Subscription);
        await Client.PublishAsync(Topic, Body(1), new PublishOptions { MessageId = "first" });
        for (var i = 2; i <= acked; i++) await Client.PublishAsync(Topic, Body(i));
        await using (var consumer = await Client.SubscribeAsync<string>(Topic, Subscription, new DeliveryLog<string>().Recording))
        {
            await Eventually.HoldsAsync(() => Client.GetTopicInfoAsync(Topic), i => i.Subscriptions.Single().Watermark == acked,
                $"messages 1..{acked} were acknowledged");
        }
        await Eventually.HoldsAsync(SnapshotPositionAsync, at => at > 0, "the topic took a snapshot");

        // The tail must stay in the journal: with the 2 KiB threshold the acks written since the last snapshot plus
        // the tail's bytes could reach it and snapshot the tail too, and a topic gone quiet snapshots what it wrote.
        // So the tail is written after a restart with the default threshold and housekeeping every 20 s (a third of
        // the consumer timeout): no snapshot comes while the test runs unless a step stalls for 20 s.
        await RestartAsync("actorpubsub.topic.consumer-timeout = 60s");
        for (var i = acked + 1; i <= acked + tail; i++) await Client.PublishAsync(Topic, Body(i));

        // act
        await RestartAsync();

        // assert: the store holds a snapshot and journal events after it, and the recovered state is the whole of both
        var snapshotAt = await SnapshotPositionAsync();
        var journalAt = await _store.QueryAsync($"SELECT MAX(sequence_number) FROM journal WHERE persistence_id = '{PersistenceId}'");
        Assert.True(journalAt > snapshotAt, $"no journal events after the snapshot at {snapshotAt} (last event {journalAt})");
        var info = await Client.GetTopicInfoAsync(Topic);
        Assert.Equal(acked + tail, info.LastSequence);
        Assert.Equal((acked, (long)tail), (info.Subscriptions.Single().Watermark, info.Subscriptions.Single().Pending));
        var repeat = await Client.PublishAsync(Topic, Body(1), new PublishOptions { MessageId = "first" });
        Assert.Equal((1L, true), (repeat.Sequence, repeat.Duplicate));
        var log = new DeliveryLog<string>();
        await using var resumed = await Client.SubscribeAsync<string>(Topic, Subscription, log.Recording);
        await log.ReceivedAsync(tail);
        Assert.Equal(Enumerable.Range(acked + 1, tail).Select(i => ((long)i, Body(i))), log.All.Select(d => (d.Sequence, d.Message)).Distinct().Order());
    }

    [Fact]
    public async Task Acks_should_survive_a_restart_so_that_only_unacked_messages_are_delivered_again()
    {
        // arrange: 10 messages; the consumer acks 1..4 and 7 and holds the others unacknowledged
        await Client.CreateSubscriptionAsync(Topic, Subscription);
        for (var i = 1; i <= 10; i++) await Client.PublishAsync(Topic, i);
        await using (var consumer = await Client.SubscribeAsync<int>(Topic, Subscription, (d, ct) =>
                         d.Sequence is <= 4 or 7 ? Task.CompletedTask : Task.Delay(Timeout.Infinite, ct)))
        {
            await Eventually.HoldsAsync(() => Client.GetTopicInfoAsync(Topic),
                i => i.Subscriptions.Single() is { Watermark: 4, Pending: 5 }, "messages 1..4 and 7 were acknowledged");

            // act
            await RestartAsync();
        }

        // assert
        var info = await Client.GetTopicInfoAsync(Topic);
        Assert.Equal((4L, 5L), (info.Subscriptions.Single().Watermark, info.Subscriptions.Single().Pending));
        var log = new DeliveryLog<int>();
        await using var resumed = await Client.SubscribeAsync<int>(Topic, Subscription, log.Recording);
        await log.ReceivedAsync(5);
        await Eventually.HoldsAsync(() => Client.GetTopicInfoAsync(Topic), i => i.Subscriptions.Single().Watermark == 10,
            "the redelivered messages were acknowledged");
        Assert.Equal(new HashSet<long> { 5, 6, 8, 9, 10 }, log.Sequences);
    }

    [Fact]
    public async Task Dead_lettered_message_should_be_in_the_store_after_a_restart()
    {
        // arrange: message 2 of 3 is unprocessable
        await Client.CreateSubscriptionAsync(Topic, Subscription);
        await using (var consumer = await Client.SubscribeAsync<string>(Topic, Subscription, (d, _) =>
                         d.Message == "poison" ? throw new UnprocessableMessageException("not an order") : Task.CompletedTask))
        {
            foreach (var message in new[] { "order 1", "poison", "order 3" }) await Client.PublishAsync(Topic, message);
            await Eventually.HoldsAsync(() => Client.GetTopicInfoAsync(Topic),
                i => i.Subscriptions.Single() is { Watermark: 3, Pending: 0, DeadLettering: 0 },
                "the store confirmed the letter and the other messages were acknowledged");
        }

        // act
        await RestartAsync();

        // assert: the letter is still there, and the message is not delivered again
        var page = await Client.ListDeadLettersAsync(Topic, Subscription);
        var letter = Assert.Single(page.Letters);
        Assert.Equal(1, page.Total);
        Assert.Equal((2L, DeadLetterReason.Unprocessable), (letter.Message.Sequence, letter.Reason));
        Assert.Contains("not an order", letter.LastError);
        Assert.Equal(letter.Id, (await Client.GetDeadLetterAsync(Topic, Subscription, 2))?.Id);
        var info = await Client.GetTopicInfoAsync(Topic);
        Assert.Equal((3L, 0L), (info.Subscriptions.Single().Watermark, info.Subscriptions.Single().Pending));
    }

    [Fact]
    public async Task Message_id_should_stay_deduplicated_after_a_restart()
    {
        // arrange
        var first = await Client.PublishAsync(Topic, "order 1", new PublishOptions { MessageId = "order-1" });

        // act
        await RestartAsync();
        var repeat = await Client.PublishAsync(Topic, "order 1 again", new PublishOptions { MessageId = "order-1" });
        var other = await Client.PublishAsync(Topic, "order 2", new PublishOptions { MessageId = "order-2" });

        // assert: the repeat is confirmed as message 1 and not stored; another id is stored after it
        Assert.Equal((1L, false), (first.Sequence, first.Duplicate));
        Assert.Equal((1L, true), (repeat.Sequence, repeat.Duplicate));
        Assert.Equal((2L, false), (other.Sequence, other.Duplicate));
        Assert.Equal(2, (await Client.GetTopicInfoAsync(Topic)).LastSequence);
    }

    /// <summary>A payload of about 200 bytes, so a few dozen messages outweigh a small snapshot threshold.</summary>
    private static string Body(int i) => $"order {i} " + new string('x', 200);

    /// <summary>
    /// Graceful stop (the topics flush their writes), then a new ActorSystem on the same store; with
    /// <paramref name="hocon"/> in its options from now on when given.
    /// </summary>
    private async Task RestartAsync(string? hocon = null)
    {
        await Node.DisposeAsync();
        _hocon = hocon ?? _hocon;
        Node = await PubSubNode.StartAsync(_store.Apply(new PubSubOptions { ExtraHocon = _hocon }));
    }

    private Task<long> JournalRowsAsync() =>
        _store.QueryAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}'");

    private Task<long> SnapshotPositionAsync() =>
        _store.QueryAsync($"SELECT MAX(sequence_number) FROM snapshot WHERE persistence_id = '{PersistenceId}'");
}
