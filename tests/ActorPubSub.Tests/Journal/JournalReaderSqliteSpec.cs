using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using ActorPubSub.Hosting;
using ActorPubSub.Journal;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Journal;

/// <summary>
/// The log read back from a real SQLite journal (Akka.Persistence.Sql and our serializer), as a topic does: topic
/// events are written with acks between them, the log indexes them, and a chunk read back fills the log's cache.
/// </summary>
[Trait("Category", "Integration")]
public sealed class JournalReaderSqliteSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Journal = "akka.persistence.journal.actorpubsub";
    private const long Cost10 = 10 + HotWindow.MessageOverhead;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly DateTime At = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly TempDatabase _db;

    public JournalReaderSqliteSpec(ITestOutputHelper output) : this(new TempDatabase(), output) { }

    private JournalReaderSqliteSpec(TempDatabase db, ITestOutputHelper output) : base(ConfigFor(db), nameof(JournalReaderSqliteSpec), output) =>
        _db = db;

    private static Config ConfigFor(TempDatabase db)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = db.File }.ToString();
        return ConfigurationFactory.ParseString($$"""
                akka.loglevel = INFO
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                {{Journal}} {
                  class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                  connection-string = "{{connection}}"
                  provider-name = "{{LinqToDB.ProviderName.SQLiteMS}}"
                  auto-initialize = on
                }
                """)
            .WithFallback(PubSubConfig.Default)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _db.Dispose();
    }

    [Fact]
    public void A_chunk_read_back_from_SQLite_should_fill_the_logs_cache_with_the_messages_written()
    {
        // arrange: 9 messages in events of one or two, an ack event after each; chunks of 3, a window of 3
        var id = "topic-" + Guid.NewGuid().ToString("N");
        var writer = Sys.ActorOf(Props.Create(() => new Writer(id)));
        var log = new MessageLog(new LogSettings(PageBytes: 30, WindowBytes: 3 * Cost10, ReadPages: 1), memory: null);
        var written = new List<TopicMessage>();
        for (var seq = 1L; seq <= 9; seq += seq % 3 == 1 ? 2 : 1)
        {
            ImmutableArray<TopicMessage> batch = seq % 3 == 1 ? [Message(seq), Message(seq + 1)] : [Message(seq)];
            log.Appended(Persist(writer, new MessagesAppended(batch, [])), batch);
            Persist(writer, new AcksRecorded([new SubscriptionAcks("billing", [seq])]));
            written.AddRange(batch);
        }
        Assert.False(log.TryGet(2, out _));
        var chunk = log.NextRead()!;
        var reader = Sys.ActorOf(JournalReader.Props(id, Journal, Wait));

        // act
        reader.Tell(new JournalReader.Read(chunk.FirstSequence, chunk.FirstJournalSeqNr, chunk.LastJournalSeqNr, long.MaxValue));
        var page = ExpectMsg<JournalReader.Page>(Wait);
        var missing = log.PageRead(chunk, page.Events);

        // assert: the acks came along and were skipped; the messages are the ones written
        Assert.Null(missing);
        Assert.Equal((1L, 3L), (chunk.FirstSequence, chunk.LastSequence));
        Assert.Contains(page.Events, e => e.Payload is AcksRecorded);
        for (var seq = 1L; seq <= 3; seq++)
        {
            Assert.True(log.TryGet(seq, out var m));
            var expected = written[(int)seq - 1];
            Assert.Equal((expected.Sequence, expected.Key, expected.Timestamp), (m.Sequence, m.Key, m.Timestamp));
            Assert.Equal(expected.Payload.Bytes, m.Payload.Bytes);
            Assert.Equal(expected.Headers!["n"], m.Headers!["n"]);
        }
    }

    [Fact]
    public void A_read_from_SQLite_should_stop_at_max_events()
    {
        // arrange
        var id = "topic-" + Guid.NewGuid().ToString("N");
        var writer = Sys.ActorOf(Props.Create(() => new Writer(id)));
        for (var seq = 1L; seq <= 5; seq++) Persist(writer, new MessagesAppended([Message(seq)], []));
        var reader = Sys.ActorOf(JournalReader.Props(id, Journal, Wait));

        // act
        reader.Tell(new JournalReader.Read(1, 2, 5, 2));
        var page = ExpectMsg<JournalReader.Page>(Wait);

        // assert
        Assert.Equal([2L, 3], page.Events.Select(e => e.SequenceNr));
        Assert.Equal([2L, 3], page.Events.Select(e => ((MessagesAppended)e.Payload).Messages[0].Sequence));
    }

    private long Persist(IActorRef writer, ITopicEvent e)
    {
        writer.Tell(e);
        return ExpectMsg<long>(Wait);
    }

    private static TopicMessage Message(long sequence) =>
        new(sequence, At.AddSeconds(sequence), new Payload(1, "", [.. Enumerable.Repeat((byte)sequence, 10)]), "k" + sequence,
            ImmutableDictionary<string, string>.Empty.Add("n", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), null);

    /// <summary>Persists every topic event it gets to the SQLite journal and answers with its sequence number.</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        public Writer(string persistenceId)
        {
            PersistenceId = persistenceId;
            JournalPluginId = JournalReaderSqliteSpec.Journal;
            Command<ITopicEvent>(e =>
            {
                var sender = Sender;
                Persist(e, _ => sender.Tell(LastSequenceNr));
            });
        }

        public override string PersistenceId { get; }
    }
}
