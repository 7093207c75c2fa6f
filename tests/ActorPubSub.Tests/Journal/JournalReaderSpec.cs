using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using ActorPubSub.Journal;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Journal;

/// <summary>
/// Reading a persistence id's journal back through the plugin's replay: a persistent actor writes to the in-memory
/// journal; readers read ranges of it. A journal that never answers makes the reader fail its reads and stop.
/// </summary>
[Trait("Category", "Unit")]
public sealed class JournalReaderSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(Config, nameof(JournalReaderSpec), output)
{
    private const string Journal = "akka.persistence.journal.inmem";
    private const string Silent = "akka.persistence.journal.silent";
    private const string Failing = "akka.persistence.journal.failing";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.loglevel = INFO
        akka.persistence.journal.plugin = "{{Journal}}"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        {{Silent}} {
          class = "{{typeof(SilentJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        {{Failing}} {
          class = "{{typeof(FailingJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """);

    [Fact]
    public void Read_should_return_the_events_of_a_whole_range_in_order()
    {
        // arrange
        var id = Written(5);
        var reader = Sys.ActorOf(JournalReader.Props(id, Journal, Wait));

        // act
        reader.Tell(new JournalReader.Read(1, 1, 5, long.MaxValue));

        // assert
        var page = ExpectMsg<JournalReader.Page>(Wait);
        Assert.Equal(1, page.Request.Id);
        Assert.Equal([1L, 2, 3, 4, 5], page.Events.Select(e => e.SequenceNr));
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], page.Events.Select(e => (string)e.Payload));
        Assert.All(page.Events, e => Assert.Equal(id, e.PersistenceId));
    }

    [Fact]
    public void Read_should_return_part_of_a_range_up_to_max()
    {
        // arrange
        var id = Written(10);
        var reader = Sys.ActorOf(JournalReader.Props(id, Journal, Wait));

        // act
        reader.Tell(new JournalReader.Read(7, 3, 10, 2));

        // assert
        var page = ExpectMsg<JournalReader.Page>(Wait);
        Assert.Equal(7, page.Request.Id);
        Assert.Equal(["e3", "e4"], page.Events.Select(e => (string)e.Payload));
    }

    [Fact]
    public void Read_should_return_an_empty_page_for_a_range_without_events()
    {
        // arrange
        var id = Written(3);
        var reader = Sys.ActorOf(JournalReader.Props(id, Journal, Wait));

        // act: beyond what was written, and a persistence id never written
        reader.Tell(new JournalReader.Read(1, 4, 100, long.MaxValue));
        var empty = ExpectMsg<JournalReader.Page>(Wait);
        var other = Sys.ActorOf(JournalReader.Props("never-written", Journal, Wait));
        other.Tell(new JournalReader.Read(2, 1, 100, long.MaxValue));
        var none = ExpectMsg<JournalReader.Page>(Wait);

        // assert
        Assert.Empty(empty.Events);
        Assert.Empty(none.Events);
        Assert.Equal(2, none.Request.Id);
    }

    [Fact]
    public void Reads_should_queue_and_answer_in_the_order_asked()
    {
        // arrange
        var id = Written(9);
        var reader = Sys.ActorOf(JournalReader.Props(id, Journal, Wait));

        // act: three reads at once, the last one first in the journal
        reader.Tell(new JournalReader.Read(1, 4, 6, long.MaxValue));
        reader.Tell(new JournalReader.Read(2, 7, 9, long.MaxValue));
        reader.Tell(new JournalReader.Read(3, 1, 3, long.MaxValue));

        // assert: each answer holds its own range only
        var pages = new[] { ExpectMsg<JournalReader.Page>(Wait), ExpectMsg<JournalReader.Page>(Wait), ExpectMsg<JournalReader.Page>(Wait) };
        Assert.Equal([1L, 2, 3], pages.Select(p => p.Request.Id));
        Assert.Equal(["e4", "e5", "e6"], pages[0].Events.Select(e => (string)e.Payload));
        Assert.Equal(["e7", "e8", "e9"], pages[1].Events.Select(e => (string)e.Payload));
        Assert.Equal(["e1", "e2", "e3"], pages[2].Events.Select(e => (string)e.Payload));
    }

    [Fact]
    public void A_journal_that_does_not_answer_should_fail_every_read_and_stop_the_reader()
    {
        // arrange: a journal plugin that never replies
        var reader = Sys.ActorOf(JournalReader.Props("topic-orders", Silent, TimeSpan.FromMilliseconds(300)));
        Watch(reader);

        // act: one read sent to the journal, one queued behind it
        reader.Tell(new JournalReader.Read(1, 1, 10, long.MaxValue));
        reader.Tell(new JournalReader.Read(2, 11, 20, long.MaxValue));

        // assert
        var first = ExpectMsg<JournalReader.ReadFailed>(Wait);
        var second = ExpectMsg<JournalReader.ReadFailed>(Wait);
        Assert.Equal([1L, 2], new[] { first.Request.Id, second.Request.Id });
        Assert.All(new[] { first, second }, f =>
        {
            Assert.True(f.ReaderStopped);
            Assert.IsType<TimeoutException>(f.Cause);
            Assert.Contains("topic-orders", f.Cause.Message);
        });
        ExpectTerminated(reader, Wait);
    }

    [Fact]
    public void A_read_the_journal_fails_should_fail_alone_and_the_reader_go_on()
    {
        // arrange: a journal that fails reads from 13 and answers the others
        var reader = Sys.ActorOf(JournalReader.Props("topic-orders", Failing, Wait));
        Watch(reader);

        // act
        reader.Tell(new JournalReader.Read(1, 13, 15, long.MaxValue));
        reader.Tell(new JournalReader.Read(2, 16, 17, long.MaxValue));

        // assert: the failure names the journal's cause; the reader lives and answers the next read
        var failed = ExpectMsg<JournalReader.ReadFailed>(Wait);
        Assert.Equal(1, failed.Request.Id);
        Assert.False(failed.ReaderStopped);
        Assert.Equal("disk on fire", failed.Cause.Message);
        var page = ExpectMsg<JournalReader.Page>(Wait);
        Assert.Equal(2, page.Request.Id);
        Assert.Equal(["x16", "x17"], page.Events.Select(e => (string)e.Payload));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        reader.Tell(new JournalReader.Read(3, 20, 20, long.MaxValue));
        Assert.Equal(3, ExpectMsg<JournalReader.Page>(Wait).Request.Id);
    }

    /// <summary>Writes events e1..e<paramref name="count"/> under a fresh persistence id; returns it.</summary>
    private string Written(int count)
    {
        var id = "writer-" + Guid.NewGuid().ToString("N");
        var writer = Sys.ActorOf(Props.Create(() => new Writer(id)));
        for (var i = 1; i <= count; i++)
        {
            writer.Tell("e" + i);
            ExpectMsg((long)i, Wait);
        }
        return id;
    }

    /// <summary>A plain persistent actor: persists every string it gets and answers with its sequence number.</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        public Writer(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<string>(e =>
            {
                var sender = Sender;
                Persist(e, _ => sender.Tell(LastSequenceNr));
            });
        }

        public override string PersistenceId { get; }
    }
}

/// <summary>A journal plugin that takes every request and never answers (a hung store or connection).</summary>
public sealed class SilentJournal : ReceiveActor
{
    public SilentJournal() => ReceiveAny(_ => { });
}

/// <summary>A journal plugin whose reads from sequence 13 fail; other reads replay "x{n}" for each n of the range.</summary>
public sealed class FailingJournal : ReceiveActor
{
    public FailingJournal()
    {
        Receive<ReplayMessages>(r =>
        {
            if (r.FromSequenceNr == 13)
            {
                r.PersistentActor.Tell(new ReplayMessagesFailure(new InvalidOperationException("disk on fire")));
                return;
            }
            for (var n = r.FromSequenceNr; n <= r.ToSequenceNr; n++)
                r.PersistentActor.Tell(new ReplayedMessage(new Persistent("x" + n, n, r.PersistenceId)));
            r.PersistentActor.Tell(new RecoverySuccess(r.ToSequenceNr));
        });
        ReceiveAny(_ => { });
    }
}
