using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Akka.TestKit;
using ActorPubSub.DeadLetters;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>
/// The dead-letter store against a real SQLite journal and snapshot store (a file of each test's own): intake
/// from the topic, queries, purge, redrive with a probe in the topic's place, restarts and snapshots.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Topic = "orders";
    private const string Sub = "billing";
    private const string PersistenceId = "deadletters:orders:billing";

    private static readonly Guid Incarnation = Guid.Parse("6a1d8a8e-54a4-4f55-9d1a-0d2f3c4b5a69");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TempDatabase _db;
    private readonly TestProbe _topic;     // stands in for the topic shard region and for the topic itself
    private readonly TestProbe _operator;

    public DeadLetterActorSpec(ITestOutputHelper output) : this(new TempDatabase(), output) { }

    private DeadLetterActorSpec(TempDatabase db, ITestOutputHelper output) : base(ConfigFor(db), nameof(DeadLetterActorSpec), output)
    {
        _db = db;
        _topic = CreateTestProbe("topic");
        // The store reports its count to the topic after purges and redrives (for the depth gauge); these specs
        // follow the redrive protocol itself.
        _topic.IgnoreMessages<DeadLetterCount>();
        _operator = CreateTestProbe("operator");
    }

    private static Config ConfigFor(TempDatabase db)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = db.File }.ToString();
        using (var sqlite = new SqliteConnection(connection))
        {
            // as PubSubStorage does: WAL, so the snapshot store's reads and writes do not wait on the journal's
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }
        string Plugin(string type) => $$"""
            {
              class = "{{type}}"
              connection-string = "{{connection}}"
              provider-name = "{{LinqToDB.ProviderName.SQLiteMS}}"
              auto-initialize = on
            }
            """;
        return ConfigurationFactory.ParseString($"""
                akka.loglevel = INFO
                akka.persistence.journal.actorpubsub {Plugin("Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql")}
                akka.persistence.snapshot-store.actorpubsub {Plugin("Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql")}
                """)
            .WithFallback(PubSubConfig.Default)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _db.Dispose();
    }

    private DeadLetterSettings Settings => DeadLetterSettings.Create(Sys);

    // ---- intake from the topic --------------------------------------------------------------------------

    [Fact]
    public async Task Store_should_confirm_the_letters_and_list_them_by_sequence_in_pages()
    {
        // arrange
        var store = Start();

        // act: ids in topic order, sequences in any order
        await StoreAsync(store, Letters(1, 50, 10, 30, 20, 40), expectUpTo: 5);

        // assert: pages of 2 ordered by sequence, each saying where the next starts
        var first = await ListAsync(store, after: 0, limit: 2);
        Assert.Equal(new long[] { 10L, 20L }, Sequences(first));
        Assert.Equal((5, 20L), (first.Total, first.NextAfter));
        var second = await ListAsync(store, after: first.NextAfter!.Value, limit: 2);
        Assert.Equal(new long[] { 30L, 40L }, Sequences(second));
        Assert.Equal(40L, second.NextAfter);
        var last = await ListAsync(store, after: 40, limit: 2);
        Assert.Equal(new long[] { 50L }, Sequences(last));
        Assert.Null(last.NextAfter);
        Assert.Empty((await ListAsync(store, after: 50, limit: 1000)).Letters);
        Assert.Equal(new long[] { 10L, 20L, 30L, 40L, 50L }, Sequences(await ListAsync(store, after: long.MinValue, limit: 1000)));
        Assert.Empty((await ListAsync(store, after: long.MaxValue, limit: 1)).Letters);

        // and one letter by its message sequence
        store.Tell(new GetDeadLetter(Topic, Sub, 30), _operator);
        var found = await _operator.ExpectMsgAsync<DeadLetterFound>(Wait);
        AssertEquivalent(Letter(3, 30), found.Letter);
        store.Tell(new GetDeadLetter(Topic, Sub, 31), _operator);
        Assert.Null((await _operator.ExpectMsgAsync<DeadLetterFound>(Wait)).Letter);
    }

    [Fact]
    public async Task Store_should_keep_a_page_within_page_max_bytes_and_continue_after_it()
    {
        // arrange: letters of 600 payload bytes, pages of at most 1,000 bytes
        var store = Start(Settings with { PageMaxBytes = 1000 });
        await StoreAsync(store, [.. Enumerable.Range(1, 3).Select(i => Letter(i, i, payloadBytes: 600))], expectUpTo: 3);

        // act
        var page = await ListAsync(store, after: 0, limit: 1000);

        // assert: one letter per page, however high the limit
        Assert.Equal(new long[] { 1L }, Sequences(page));
        Assert.Equal(1L, page.NextAfter);
        Assert.Equal(new long[] { 2L }, Sequences(await ListAsync(store, after: 1, limit: 1000)));
    }

    [Fact]
    public async Task Store_should_write_a_resend_once()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, Letters(1, 11, 12, 13), expectUpTo: 3);

        // act: the same letters again (a lost confirmation), then a resend that overlaps and goes one further
        await StoreAsync(store, Letters(1, 11, 12, 13), expectUpTo: 3);
        await StoreAsync(store, Letters(2, 12, 13, 14), expectUpTo: 4);

        // assert: each letter once, in two journal events
        Assert.Equal(4, (await ListAsync(store, 0, 1000)).Total);
        Assert.Equal(2, await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}'"));
    }

    [Fact]
    public async Task Store_should_not_confirm_past_a_gap()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, Letters(1, 1, 2), expectUpTo: 2);

        // act / assert: ids 4 and 5 without 3 (3 was lost on the way): nothing taken, 2 confirmed
        await StoreAsync(store, Letters(4, 4, 5), expectUpTo: 2);
        Assert.Equal(2, (await ListAsync(store, 0, 1000)).Total);

        // 3 then 5: 3 taken, stop at the gap before 5
        await StoreAsync(store, [Letter(3, 3), Letter(5, 5)], expectUpTo: 3);
        Assert.Equal(new long[] { 1L, 2L, 3L }, Sequences(await ListAsync(store, 0, 1000)));

        // the topic's resend of everything unconfirmed, in order, closes it
        await StoreAsync(store, Letters(4, 4, 5), expectUpTo: 5);
        Assert.Equal(new long[] { 1L, 2L, 3L, 4L, 5L }, Sequences(await ListAsync(store, 0, 1000)));
    }

    [Fact]
    public async Task Store_should_number_a_new_incarnation_from_1_and_replace_letters_of_the_same_message()
    {
        // arrange: incarnation A dead-lettered messages 10 and 11
        var store = Start();
        await StoreAsync(store, Letters(1, 10, 11), expectUpTo: 2);

        // act: the subscription was deleted and created again: incarnation B starts at id 1
        var b = Guid.NewGuid();
        store.Tell(new StoreDeadLetters(Topic, Sub, b, [Letter(1, 11, "B's failure"), Letter(2, 12)]), _topic);
        var stored = await _topic.ExpectMsgAsync<DeadLettersStored>(Wait);

        // assert: B confirmed up to 2, A still up to 2; message 11's letter is B's (upsert by sequence)
        Assert.Equal((b, 2L), (stored.Incarnation, stored.UpToId));
        await StoreAsync(store, Letters(1, 10, 11), expectUpTo: 2);
        var all = await ListAsync(store, 0, 1000);
        Assert.Equal(new long[] { 10L, 11L, 12L }, Sequences(all));
        Assert.Equal("B's failure", all.Letters[1].LastError);
    }

    [Fact]
    public async Task Store_should_replace_the_letter_of_a_message_dead_lettered_again()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, [Letter(1, 7, "first")], expectUpTo: 1);

        // act: the message was redriven, failed again and came back under a new id
        await StoreAsync(store, [Letter(2, 7, "second")], expectUpTo: 2);

        // assert
        var page = await ListAsync(store, 0, 1000);
        Assert.Equal(1, page.Total);
        Assert.Equal((2L, "second"), (page.Letters[0].Id, page.Letters[0].LastError));
    }

    [Fact]
    public async Task Store_should_refuse_a_command_for_another_subscription_and_keep_running()
    {
        // arrange
        var store = Start();

        // act
        store.Tell(new StoreDeadLetters(Topic, "shipping", Incarnation, Letters(1, 1)), _topic);
        var wrongSubscription = await _topic.ExpectMsgAsync<CommandRejected>(Wait);
        store.Tell(new ListDeadLetters("invoices", Sub, 0, 10), _operator);
        var wrongTopic = await _operator.ExpectMsgAsync<CommandRejected>(Wait);

        // assert
        Assert.Equal((RejectionCode.Invalid, nameof(StoreDeadLetters), "shipping"),
            (wrongSubscription.Code, wrongSubscription.Command, wrongSubscription.Subscription));
        Assert.Contains("'orders/shipping' reached the dead-letter store of 'orders/billing'", wrongSubscription.Reason);
        Assert.Equal((RejectionCode.Invalid, "invoices"), (wrongTopic.Code, wrongTopic.Topic));
        await StoreAsync(store, Letters(1, 1), expectUpTo: 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    [InlineData(-5)]
    public async Task List_should_refuse_a_limit_outside_1_to_1000(int limit)
    {
        // arrange
        var store = Start();

        // act
        store.Tell(new ListDeadLetters(Topic, Sub, 0, limit), _operator);

        // assert
        var rejected = await _operator.ExpectMsgAsync<CommandRejected>(Wait);
        Assert.Equal((RejectionCode.Invalid, nameof(ListDeadLetters)), (rejected.Code, rejected.Command));
        Assert.Contains($"between 1 and 1000, was {limit}", rejected.Reason);
        Assert.Equal(0, (await ListAsync(store, 0, 1000)).Total);
    }

    // ---- restarts and snapshots -------------------------------------------------------------------------

    [Fact]
    public async Task Restarted_store_should_recover_its_letters_and_the_ids_it_confirmed()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, [FullLetter(1, 100), .. Letters(2, 101, 102)], expectUpTo: 3);
        await PurgeAsync(store, [101], expectPurged: 1);
        await StopAsync(store);

        // act
        var restarted = Start();

        // assert: the same letters, and the same run of ids (a resend is a duplicate, the next id is taken)
        var page = await ListAsync(restarted, 0, 1000);
        Assert.Equal(new long[] { 100L, 102L }, Sequences(page));
        AssertEquivalent(FullLetter(1, 100), page.Letters[0]);
        await StoreAsync(restarted, Letters(1, 100, 101, 102), expectUpTo: 3);
        await StoreAsync(restarted, Letters(4, 103), expectUpTo: 4);
    }

    [Fact]
    public async Task Restarted_store_should_recover_from_a_snapshot_and_delete_the_journal_below_the_oldest_letter()
    {
        // arrange: a snapshot every 3 events
        var settings = Settings with { SnapshotEvery = 3 };
        var store = Start(settings);
        for (var id = 1; id <= 7; id++) await StoreAsync(store, Letters(id, 1000 + id), expectUpTo: id);
        await PurgeAsync(store, [1002], expectPurged: 1);
        await PurgeAsync(store, [1001], expectPurged: 1);

        // act: 9 events, snapshots after the 3rd, 6th and 9th. The letters' messages stay in their events, so
        // only the events below the oldest that still holds a letter (the 3rd) are deleted.
        await AwaitAssertAsync(async () =>
        {
            Assert.True(await CountAsync($"SELECT COUNT(*) FROM snapshot WHERE persistence_id = '{PersistenceId}'") >= 1);
            Assert.Equal(0, await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}' AND sequence_number < 3 AND deleted = 0"));
        }, Wait);
        Assert.True(await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}' AND sequence_number = 3") == 1);
        await StopAsync(store);
        var restarted = Start(settings);

        // assert
        Assert.Equal(new long[] { 1003L, 1004L, 1005L, 1006L, 1007L }, Sequences(await ListAsync(restarted, 0, 1000)));
        await StoreAsync(restarted, Letters(7, 1007), expectUpTo: 7);
        await StoreAsync(restarted, Letters(8, 1008), expectUpTo: 8);
    }

    [Fact]
    public async Task Idle_store_should_ask_its_shard_to_passivate_it_with_DeadLetterStop()
    {
        // arrange: a child of the test actor, which stands in for the shard
        var store = ChildActorOf(DeadLetterActor.Props(Topic, Sub, Settings with { IdleTimeout = TimeSpan.FromMilliseconds(300) }, _topic.Ref));
        await StoreAsync(store, Letters(1, 1), expectUpTo: 1);

        // act / assert
        var passivate = await ExpectMsgAsync<Passivate>(Wait);
        Assert.Same(DeadLetterStop.Instance, passivate.StopMessage);
        Watch(store);
        store.Tell(passivate.StopMessage);
        await ExpectTerminatedAsync(store, Wait);
    }

    [Fact]
    public async Task Store_should_warn_once_when_it_holds_more_than_warn_above()
    {
        // arrange
        var store = Start(Settings with { WarnAbove = 2 });
        await StoreAsync(store, Letters(1, 1, 2), expectUpTo: 2);

        // act / assert: the third letter passes the limit, the fourth does not warn again
        await EventFilter.Warning(contains: "more than warn-above (2)").ExpectOneAsync(async () =>
        {
            await StoreAsync(store, Letters(3, 3), expectUpTo: 3);
            await StoreAsync(store, Letters(4, 4), expectUpTo: 4);
        });
        Assert.Equal(4, (await ListAsync(store, 0, 1000)).Total);
    }

    // ---- purge ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Purge_should_delete_the_letters_named_or_all_for_good()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, Letters(1, 1, 2, 3, 4), expectUpTo: 4);

        // act / assert: named ones, reporting those that had no letter
        store.Tell(new PurgeDeadLetters(Topic, Sub, [2, 99, 2]), _operator);
        var purged = await _operator.ExpectMsgAsync<DeadLettersPurged>(Wait);
        Assert.Equal(1, purged.Purged);
        Assert.Equal(new long[] { 99L }, purged.NotFound.ToArray());
        Assert.Equal(new long[] { 1L, 3L, 4L }, Sequences(await ListAsync(store, 0, 1000)));

        // all
        await PurgeAsync(store, [], expectPurged: 3);
        Assert.Equal(0, (await ListAsync(store, 0, 1000)).Total);
        await PurgeAsync(store, [], expectPurged: 0);

        // for good: also after a restart
        await StopAsync(store);
        Assert.Equal(0, (await ListAsync(Start(), 0, 1000)).Total);
    }

    // ---- redrive ----------------------------------------------------------------------------------------

    [Fact]
    public async Task Redrive_should_send_the_message_to_the_topic_and_remove_the_letter_once_confirmed()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, [Letter(1, 1), FullLetter(2, 2), Letter(3, 3)], expectUpTo: 3);

        // act
        store.Tell(new RedriveDeadLetters(Topic, Sub, [2, 99]), _operator);
        var redrive = await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
        AssertEquivalent(new RedriveMessages(Topic, Sub, [FullLetter(2, 2).Message]), redrive);
        _topic.Reply(new MessagesRedriven(Topic, Sub, [2]));

        // assert
        var done = await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait);
        Assert.Equal(1, done.Redriven);
        Assert.Equal(new long[] { 99L }, done.NotFound.ToArray());
        Assert.Equal(new long[] { 1L, 3L }, Sequences(await ListAsync(store, 0, 1000)));
        await StopAsync(store);
        Assert.Equal(new long[] { 1L, 3L }, Sequences(await ListAsync(Start(), 0, 1000)));
    }

    [Fact]
    public async Task Redrive_of_all_should_go_in_chunks_each_confirmed_before_the_next()
    {
        // arrange: chunks of at most 2 messages
        var store = Start(Settings with { RedriveBatch = 2 });
        await StoreAsync(store, Letters(1, 5, 4, 3, 2, 1), expectUpTo: 5);

        // act
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);

        // assert: chunks in sequence order, the next only after the previous was confirmed
        foreach (var expected in new[] { new long[] { 1, 2 }, [3, 4], [5] })
        {
            var chunk = await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
            Assert.Equal(expected, chunk.Messages.Select(m => m.Sequence).ToArray());
            Assert.Equal(store, _topic.LastSender);
            await _topic.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
            store.Tell(new MessagesRedriven(Topic, Sub, [.. expected.Reverse()]), _topic);
        }
        var done = await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait);
        Assert.Equal((5, 0), (done.Redriven, done.NotFound.Length));
        Assert.Equal(0, (await ListAsync(store, 0, 1000)).Total);
        await StopAsync(store);
        Assert.Equal(0, (await ListAsync(Start(), 0, 1000)).Total);
    }

    [Fact]
    public async Task Redrive_should_cut_chunks_at_redrive_batch_bytes()
    {
        // arrange: messages of 600 bytes, chunks of at most 1,000 bytes
        var store = Start(Settings with { RedriveBatchBytes = 1000 });
        await StoreAsync(store, [Letter(1, 1, payloadBytes: 600), Letter(2, 2, payloadBytes: 600)], expectUpTo: 2);

        // act
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);

        // assert: one message per chunk
        for (var sequence = 1L; sequence <= 2; sequence++)
        {
            var chunk = await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
            Assert.Equal([sequence], chunk.Messages.Select(m => m.Sequence).ToArray());
            _topic.Reply(new MessagesRedriven(Topic, Sub, [sequence]));
        }
        Assert.Equal(2, (await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait)).Redriven);
    }

    [Fact]
    public async Task Redrive_should_keep_the_letters_when_the_topic_does_not_confirm_in_time()
    {
        // arrange: chunks of 2, a short timeout (long enough for the first chunk's confirmation on a busy machine)
        var store = Start(Settings with { RedriveBatch = 2, RedriveTimeout = TimeSpan.FromSeconds(2) });
        await StoreAsync(store, Letters(1, 1, 2, 3), expectUpTo: 3);

        // act: the first chunk is confirmed, the second never is
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
        _topic.Reply(new MessagesRedriven(Topic, Sub, [1, 2]));
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);

        // assert
        var rejected = await _operator.ExpectMsgAsync<CommandRejected>(Wait);
        Assert.Equal((RejectionCode.StorageFailure, nameof(RedriveDeadLetters)), (rejected.Code, rejected.Command));
        Assert.Contains("2 of 3 letters were redriven; the other 1 are kept", rejected.Reason);
        Assert.Equal(new long[] { 3L }, Sequences(await ListAsync(store, 0, 1000)));

        // a late confirmation is ignored: the letter stays until a redrive is confirmed
        _topic.Reply(new MessagesRedriven(Topic, Sub, [3]));
        Assert.Equal(new long[] { 3L }, Sequences(await ListAsync(store, 0, 1000)));
    }

    [Fact]
    public async Task Redrive_should_pass_on_the_topics_refusal_and_keep_the_letters()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, Letters(1, 1, 2), expectUpTo: 2);

        // act
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
        // a refusal of something else (a confirmation the store sent) does not end the redrive
        _topic.Reply(new CommandRejected(Topic, Sub, nameof(DeadLettersStored), RejectionCode.UnknownSubscription, "gone"));
        _topic.Reply(new CommandRejected(Topic, Sub, nameof(RedriveMessages), RejectionCode.UnknownSubscription, "Topic 'orders' has no subscription 'billing'."));

        // assert
        var rejected = await _operator.ExpectMsgAsync<CommandRejected>(Wait);
        Assert.Equal(RejectionCode.UnknownSubscription, rejected.Code);
        Assert.Contains("has no subscription 'billing'", rejected.Reason);
        Assert.Contains("0 of 2 letters were redriven; the other 2 are kept", rejected.Reason);
        Assert.Equal(2, (await ListAsync(store, 0, 1000)).Total);
    }

    [Fact]
    public async Task Redrive_should_keep_storing_and_answer_other_commands_after_it()
    {
        // arrange
        var store = Start();
        await StoreAsync(store, Letters(1, 1), expectUpTo: 1);
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);
        var chunk = await _topic.ExpectMsgAsync<RedriveMessages>(Wait);

        // act: an operator query waits; intake from the topic does not
        store.Tell(new ListDeadLetters(Topic, Sub, 0, 1000), _operator);
        var intake = CreateTestProbe();
        store.Tell(new StoreDeadLetters(Topic, Sub, Incarnation, Letters(2, 2)), intake);
        Assert.Equal(2, (await intake.ExpectMsgAsync<DeadLettersStored>(Wait)).UpToId);
        await _operator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new long[] { 1L }, chunk.Messages.Select(m => m.Sequence).ToArray());
        _topic.Reply(new MessagesRedriven(Topic, Sub, [1]));

        // assert: the redrive's answer first, then the page, which no longer has letter 1
        Assert.Equal(1, (await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait)).Redriven);
        Assert.Equal(new long[] { 2L }, Sequences(await _operator.ExpectMsgAsync<DeadLetterPage>(Wait)));
    }

    [Fact]
    public async Task Redrive_should_keep_a_newer_dead_lettering_of_the_same_message()
    {
        // arrange: message 5 is being redriven
        var store = Start();
        await StoreAsync(store, [Letter(1, 5, "first")], expectUpTo: 1);
        store.Tell(new RedriveDeadLetters(Topic, Sub, [5]), _operator);
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);

        // act: it failed again and came back (id 2) before the store saw the confirmation
        await StoreAsync(store, [Letter(2, 5, "second")], expectUpTo: 2);
        _topic.Reply(new MessagesRedriven(Topic, Sub, [5]));

        // assert: the redrive counts, and the new letter stays
        Assert.Equal(1, (await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait)).Redriven);
        var page = await ListAsync(store, 0, 1000);
        Assert.Equal("second", Assert.Single(page.Letters).LastError);
    }

    [Fact]
    public async Task Redrive_should_ignore_a_confirmation_of_other_sequences()
    {
        // arrange
        var store = Start(Settings with { RedriveTimeout = TimeSpan.FromMilliseconds(500) });
        await StoreAsync(store, Letters(1, 1, 2), expectUpTo: 2);
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);

        // act: a confirmation of only part of the chunk, and one for another subscription
        _topic.Reply(new MessagesRedriven(Topic, Sub, [1]));
        _topic.Reply(new MessagesRedriven(Topic, "shipping", [1, 2]));

        // assert: neither counts; the redrive times out and keeps both
        Assert.Equal(RejectionCode.StorageFailure, (await _operator.ExpectMsgAsync<CommandRejected>(Wait)).Code);
        Assert.Equal(2, (await ListAsync(store, 0, 1000)).Total);
    }

    [Fact]
    public async Task Stop_during_a_redrive_should_finish_the_chunk_in_flight_answer_and_stop()
    {
        // arrange: chunks of 1
        var store = Start(Settings with { RedriveBatch = 1 });
        await StoreAsync(store, Letters(1, 1, 2, 3), expectUpTo: 3);
        store.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
        store.Tell(new GetDeadLetter(Topic, Sub, 3), _operator);   // stashed behind the redrive

        // act: hand-off
        Watch(store);
        store.Tell(DeadLetterStop.Instance);
        _topic.Reply(new MessagesRedriven(Topic, Sub, [1]));

        // assert: the requester hears how far it got, the stashed query is answered, then the store stops
        var rejected = await _operator.ExpectMsgAsync<CommandRejected>(Wait);
        Assert.Contains("was stopped during the redrive", rejected.Reason);
        Assert.Contains("1 of 3 letters were redriven; the other 2 are kept", rejected.Reason);
        Assert.NotNull((await _operator.ExpectMsgAsync<DeadLetterFound>(Wait)).Letter);
        await ExpectTerminatedAsync(store, Wait);
        await _topic.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(new long[] { 2L, 3L }, Sequences(await ListAsync(Start(), 0, 1000)));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private IActorRef Start(DeadLetterSettings? settings = null) =>
        Sys.ActorOf(DeadLetterActor.Props(Topic, Sub, settings ?? Settings, _topic.Ref));

    private async Task StopAsync(IActorRef store)
    {
        Watch(store);
        store.Tell(DeadLetterStop.Instance);
        await ExpectTerminatedAsync(store, Wait);
        Unwatch(store);
    }

    private async Task StoreAsync(IActorRef store, ImmutableArray<DeadLetter> letters, long expectUpTo)
    {
        var topic = CreateTestProbe();
        store.Tell(new StoreDeadLetters(Topic, Sub, Incarnation, letters), topic);
        var stored = await topic.ExpectMsgAsync<DeadLettersStored>(Wait);
        Assert.Equal((Topic, Sub, Incarnation, expectUpTo), (stored.Topic, stored.Subscription, stored.Incarnation, stored.UpToId));
    }

    private async Task<DeadLetterPage> ListAsync(IActorRef store, long after, int limit)
    {
        var probe = CreateTestProbe();
        store.Tell(new ListDeadLetters(Topic, Sub, after, limit), probe);
        return await probe.ExpectMsgAsync<DeadLetterPage>(Wait);
    }

    private async Task PurgeAsync(IActorRef store, ImmutableArray<long> sequences, int expectPurged)
    {
        var probe = CreateTestProbe();
        store.Tell(new PurgeDeadLetters(Topic, Sub, sequences), probe);
        Assert.Equal(expectPurged, (await probe.ExpectMsgAsync<DeadLettersPurged>(Wait)).Purged);
    }

    private static long[] Sequences(DeadLetterPage page) => [.. page.Letters.Select(l => l.Message.Sequence)];

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
