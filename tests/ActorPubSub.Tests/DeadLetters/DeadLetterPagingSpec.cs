using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.TestKit;
using ActorPubSub.DeadLetters;
using ActorPubSub.Hosting;
using ActorPubSub.Memory;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>
/// A dead-letter store keeps its letters' messages in the journal and only an index in memory and in snapshots,
/// against a real SQLite journal and snapshot store: many large letters listed, redriven and purged across restarts,
/// snapshots without bodies, the journal kept from the oldest event holding a letter, snapshots of the format before
/// paging, and a journal that lost a range.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterPagingSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Topic = "orders";
    private const string Sub = "billing";
    private const string PersistenceId = "deadletters:orders:billing";
    private const int LetterCount = 2000;
    private const int PayloadBytes = 4096;
    private const int PerEvent = 100;

    private static readonly Guid Incarnation = Guid.Parse("0b7e4f52-93a1-4b8e-a1c6-5f3a2d9e8c71");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly TempDatabase _db;
    private readonly TestProbe _topic;
    private readonly TestProbe _operator;

    public DeadLetterPagingSpec(ITestOutputHelper output) : this(new TempDatabase(), output) { }

    private DeadLetterPagingSpec(TempDatabase db, ITestOutputHelper output) : base(ConfigFor(db), nameof(DeadLetterPagingSpec), output)
    {
        _db = db;
        _topic = CreateTestProbe("topic");
        _topic.IgnoreMessages<DeadLetterCount>();
        _operator = CreateTestProbe("operator");
    }

    private static Config ConfigFor(TempDatabase db)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = db.File }.ToString();
        using (var sqlite = new SqliteConnection(connection))
        {
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

    [Fact]
    public async Task Store_of_many_large_letters_should_list_every_page_after_a_restart_with_small_snapshots()
    {
        // arrange: 2,000 letters of 4 KiB in 20 events, a snapshot every 5 events
        var settings = Settings with { SnapshotEvery = 5 };
        var store = Start(settings);
        await StoreManyAsync(store);
        await AwaitAssertAsync(async () =>
            Assert.Equal(20, await CountAsync($"SELECT MAX(sequence_number) FROM snapshot WHERE persistence_id = '{PersistenceId}'")), Wait);
        await StopAsync(store);

        // act: a restart (from the snapshot), then every page of at most page-max-bytes (1 MiB: ~240 letters)
        var restarted = Start(settings);
        var listed = new List<DeadLetter>();
        long after = 0;
        var pages = 0;
        while (true)
        {
            var page = await ListAsync(restarted, after, 1000);
            Assert.Equal(LetterCount, page.Total);
            listed.AddRange(page.Letters);
            pages++;
            if (page.NextAfter is not { } next) break;
            after = next;
        }

        // assert: every letter once, in order, with its own message
        Assert.True(pages >= 8, $"{pages} pages");
        Assert.Equal(Enumerable.Range(1, LetterCount).Select(i => (long)i), listed.Select(l => l.Message.Sequence));
        foreach (var letter in listed) AssertEquivalent(BigLetter(letter.Id), letter, $"letter {letter.Id}");
        // the snapshot holds the index, not the 8 MB of messages
        var snapshotBytes = await CountAsync($"SELECT MAX(length(snapshot)) FROM snapshot WHERE persistence_id = '{PersistenceId}'");
        Assert.True(snapshotBytes < 64 * LetterCount, $"the snapshot has {snapshotBytes} bytes");
        // what the read-backs held is given back to the node's memory
        Assert.Equal(0L, NodeMemory.For(Sys).Used);

        // commands sent together while pages are read back wait for each other and are all answered
        for (var i = 0; i < 5; i++) restarted.Tell(new ListDeadLetters(Topic, Sub, i * 300, 10), _operator);
        restarted.Tell(new GetDeadLetter(Topic, Sub, 1234), _operator);
        for (var i = 0; i < 5; i++)
            Assert.Equal(i * 300 + 1, (await _operator.ExpectMsgAsync<DeadLetterPage>(Wait)).Letters[0].Message.Sequence);
        AssertEquivalent(BigLetter(1234), (await _operator.ExpectMsgAsync<DeadLetterFound>(Wait)).Letter);
    }

    [Fact]
    public async Task Redrive_of_all_should_send_every_message_once_and_the_journal_should_shrink_after_the_next_snapshot()
    {
        // arrange
        var settings = Settings with { SnapshotEvery = 1 };
        var store = Start(settings);
        await StoreManyAsync(store);
        await StopAsync(store);
        var restarted = Start(settings);

        // act: redrive all, the probe confirming each chunk as the topic would
        restarted.Tell(new RedriveDeadLetters(Topic, Sub, []), _operator);
        var sent = new List<TopicMessage>();
        while (sent.Count < LetterCount)
        {
            var chunk = await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
            Assert.True(chunk.Messages.Sum(m => m.Size) <= settings.RedriveBatchBytes);
            sent.AddRange(chunk.Messages);
            _topic.Reply(new MessagesRedriven(Topic, Sub, [.. chunk.Messages.Select(m => m.Sequence)]));
        }
        var done = await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait);

        // assert: every message once, with its body; the store is empty, and so is its journal after the snapshot
        Assert.Equal(LetterCount, done.Redriven);
        Assert.Equal(Enumerable.Range(1, LetterCount).Select(i => (long)i), sent.Select(m => m.Sequence));
        foreach (var message in sent) AssertEquivalent(BigLetter(message.Sequence).Message, message, $"message {message.Sequence}");
        await _topic.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, (await ListAsync(restarted, 0, 1000)).Total);
        await AwaitAssertAsync(async () =>
            Assert.True(await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}' AND deleted = 0") <= 1), Wait);
        Assert.Equal(0L, NodeMemory.For(Sys).Used);
    }

    [Fact]
    public async Task Purge_should_free_the_journal_from_the_oldest_event_that_still_holds_a_letter()
    {
        // arrange: 20 events of 100 letters, a snapshot after every event
        var settings = Settings with { SnapshotEvery = 1 };
        var store = Start(settings);
        await StoreManyAsync(store);
        Assert.Equal(20, await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}'"));
        var bytesBefore = await JournalBytesAsync();

        // act: purge the letters of the first 10 events, and one letter of the 11th
        await PurgeAsync(store, [.. Enumerable.Range(1, 1001).Select(i => (long)i)], expectPurged: 1001);

        // assert: the events below the 11th are deleted; the 11th stays for its other 99 letters
        await AwaitAssertAsync(async () =>
            Assert.Equal(0, await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}' AND sequence_number <= 10 AND deleted = 0")), Wait);
        Assert.Equal(1, await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}' AND sequence_number = 11"));
        var bytesAfter = await JournalBytesAsync();
        Assert.True(bytesAfter < bytesBefore * 6 / 10, $"journal {bytesBefore} -> {bytesAfter} bytes");
        await StopAsync(store);
        var restarted = Start(settings);
        var page = await ListAsync(restarted, 0, 5);
        Assert.Equal(LetterCount - 1001, page.Total);
        Assert.Equal([1002L, 1003L, 1004L, 1005L, 1006L], page.Letters.Select(l => l.Message.Sequence));
        AssertEquivalent(BigLetter(1002), page.Letters[0]);

        // and purging the rest empties the journal
        await PurgeAsync(restarted, [], expectPurged: LetterCount - 1001);
        await AwaitAssertAsync(async () =>
            Assert.True(await CountAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{PersistenceId}' AND deleted = 0") <= 1), Wait);
    }

    [Fact]
    public async Task Snapshot_of_the_format_before_paging_should_recover_and_keep_its_bodies_until_they_leave()
    {
        // arrange: a snapshot as stores wrote it before paging (every letter with its message, no index), its
        // journal deleted up to it
        var snapshotStore = Persistence.Instance.Apply(Sys).SnapshotStoreFor(Settings.SnapshotPluginId);
        var old = new DeadLetterSnapshot([new DeadLetterIncarnation(Incarnation, 3)], [BigLetter(2), FullLetter(1, 10), Letter(3, 30)]);
        snapshotStore.Tell(new SaveSnapshot(new SnapshotMetadata(PersistenceId, 5, DateTime.UtcNow), old), TestActor);
        await ExpectMsgAsync<SaveSnapshotSuccess>(Wait);
        var settings = Settings with { SnapshotEvery = 1 };

        // act: it recovers, takes new letters (written as events and snapshotted as index), restarts
        var store = Start(settings);
        AssertEquivalent(old.Letters, (await ListAsync(store, 0, 1000)).Letters);
        store.Tell(new StoreDeadLetters(Topic, Sub, Incarnation, [Letter(4, 40), Letter(5, 20)]), _topic);
        Assert.Equal(5, (await _topic.ExpectMsgAsync<DeadLettersStored>(Wait)).UpToId);
        await AwaitAssertAsync(async () =>
            Assert.Equal(6, await CountAsync($"SELECT MAX(sequence_number) FROM snapshot WHERE persistence_id = '{PersistenceId}'")), Wait);
        await StopAsync(store);
        var restarted = Start(settings);

        // assert: the old letters still with their messages, the new ones read back
        AssertEquivalent(new[] { BigLetter(2), FullLetter(1, 10), Letter(5, 20), Letter(3, 30), Letter(4, 40) }, (await ListAsync(restarted, 0, 1000)).Letters.ToArray());
        restarted.Tell(new GetDeadLetter(Topic, Sub, 2), _operator);
        AssertEquivalent(BigLetter(2), (await _operator.ExpectMsgAsync<DeadLetterFound>(Wait)).Letter);

        // an old letter redriven leaves like any other
        restarted.Tell(new RedriveDeadLetters(Topic, Sub, [10, 40]), _operator);
        var chunk = await _topic.ExpectMsgAsync<RedriveMessages>(Wait);
        AssertEquivalent(new[] { FullLetter(1, 10).Message, Letter(4, 40).Message }, chunk.Messages.ToArray());
        _topic.Reply(new MessagesRedriven(Topic, Sub, [10, 40]));
        Assert.Equal(2, (await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait)).Redriven);
        await StopAsync(restarted);
        Assert.Equal([2L, 20L, 30L], (await ListAsync(Start(settings), 0, 1000)).Letters.Select(l => l.Message.Sequence));
    }

    [Fact]
    public async Task Store_should_stop_naming_the_range_when_its_journal_lost_events_that_hold_letters()
    {
        // arrange: three events, the second lost behind the store's back
        var store = Start();
        Watch(store);
        for (var id = 1; id <= 3; id++)
        {
            store.Tell(new StoreDeadLetters(Topic, Sub, Incarnation, [Letter(id, id)]), _topic);
            await _topic.ExpectMsgAsync<DeadLettersStored>(Wait);
        }
        await ExecuteAsync($"DELETE FROM journal WHERE persistence_id = '{PersistenceId}' AND sequence_number = 2");

        // act
        store.Tell(new ListDeadLetters(Topic, Sub, 0, 1000), _operator);

        // assert: no page without letter 2, but an error naming the persistence id and the range, and the store stops
        var rejected = await _operator.ExpectMsgAsync<CommandRejected>(Wait);
        Assert.Equal((RejectionCode.StorageFailure, nameof(ListDeadLetters)), (rejected.Code, rejected.Command));
        Assert.Contains($"The journal of '{PersistenceId}' lacks the dead letters of events 2..2", rejected.Reason);
        await ExpectTerminatedAsync(store, Wait);
    }

    [Fact]
    public async Task Commands_waiting_for_a_redrive_should_be_bounded_and_the_rest_refused()
    {
        // arrange: a redrive awaiting the topic's confirmation of its chunk
        var store = Start();
        store.Tell(new StoreDeadLetters(Topic, Sub, Incarnation, [Letter(1, 1), Letter(2, 2)]), _topic);
        await _topic.ExpectMsgAsync<DeadLettersStored>(Wait);
        store.Tell(new RedriveDeadLetters(Topic, Sub, [1]), _operator);
        await _topic.ExpectMsgAsync<RedriveMessages>(Wait);

        // act: one command more than may wait
        for (var i = 0; i <= DeadLetterActor.MaxWaiting; i++) store.Tell(new ListDeadLetters(Topic, Sub, 0, 10), _operator);

        // assert: the last is refused at once, saying why; the others are answered once the redrive is over
        var refused = await _operator.ExpectMsgAsync<CommandRejected>(Wait);
        Assert.Equal((RejectionCode.StorageFailure, nameof(ListDeadLetters)), (refused.Code, refused.Command));
        Assert.Contains($"is busy (a journal read-back or redrive runs) and {DeadLetterActor.MaxWaiting} commands already wait", refused.Reason);
        _topic.Reply(new MessagesRedriven(Topic, Sub, [1]));
        Assert.Equal(1, (await _operator.ExpectMsgAsync<DeadLettersRedriven>(Wait)).Redriven);
        for (var i = 0; i < DeadLetterActor.MaxWaiting; i++)
            Assert.Equal([2L], (await _operator.ExpectMsgAsync<DeadLetterPage>(Wait)).Letters.Select(l => l.Message.Sequence));
        Assert.Equal(0L, NodeMemory.For(Sys).Used);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /// <summary>Letter <paramref name="id"/>: message <paramref name="id"/> with 4 KiB of its own bytes.</summary>
    private static DeadLetter BigLetter(long id)
    {
        var letter = Letter(id, id);
        var bytes = new byte[PayloadBytes];
        new Random((int)id).NextBytes(bytes);
        return letter with { Message = letter.Message with { Payload = new Payload(1, "System.String", bytes) } };
    }

    /// <summary>Stores letters 1..2,000 (message = id) in events of 100.</summary>
    private async Task StoreManyAsync(IActorRef store)
    {
        for (var first = 1; first <= LetterCount; first += PerEvent)
        {
            store.Tell(new StoreDeadLetters(Topic, Sub, Incarnation, [.. Enumerable.Range(first, PerEvent).Select(i => BigLetter(i))]), _topic);
            Assert.Equal(first + PerEvent - 1, (await _topic.ExpectMsgAsync<DeadLettersStored>(Wait)).UpToId);
        }
    }

    private IActorRef Start(DeadLetterSettings? settings = null) =>
        Sys.ActorOf(DeadLetterActor.Props(Topic, Sub, settings ?? Settings, _topic.Ref));

    private async Task StopAsync(IActorRef store)
    {
        var probe = CreateTestProbe();
        probe.Watch(store);
        store.Tell(DeadLetterStop.Instance);
        await probe.ExpectTerminatedAsync(store, Wait);
    }

    private async Task<DeadLetterPage> ListAsync(IActorRef store, long after, int limit)
    {
        store.Tell(new ListDeadLetters(Topic, Sub, after, limit), _operator);
        return await _operator.ExpectMsgAsync<DeadLetterPage>(Wait);
    }

    private async Task PurgeAsync(IActorRef store, ImmutableArray<long> sequences, int expectPurged)
    {
        store.Tell(new PurgeDeadLetters(Topic, Sub, sequences), _operator);
        Assert.Equal(expectPurged, (await _operator.ExpectMsgAsync<DeadLettersPurged>(Wait)).Purged);
    }

    private Task<long> JournalBytesAsync() =>
        CountAsync($"SELECT COALESCE(SUM(length(message)), 0) FROM journal WHERE persistence_id = '{PersistenceId}'");

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync() is long value ? value : 0;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
