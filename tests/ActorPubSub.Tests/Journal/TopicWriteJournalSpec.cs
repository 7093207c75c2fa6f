using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorPubSub.Hosting;
using ActorPubSub.Journal;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Journal;

/// <summary>
/// The topics' journal (<see cref="TopicWriteJournal"/>) through the persistence protocol, on a real database: writes of
/// its own, which Akka.Persistence.Sql's replay reads back; a write that fails fails alone, also when it shared a group
/// commit with others; a payload that does not serialize rejects its own atomic write only. Run once per database.
/// </summary>
public abstract class TopicWriteJournalSpec : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private TestStore _store = null!;

    protected TestStore Store => _store;
    private PubSubNode _node = null!;
    private IActorRef _journal = null!;

    protected ActorSystem System => _node.System;
    protected IActorRef JournalRef => _journal;

    protected abstract Task<TestStore> CreateStoreAsync();

    /// <summary>Takes the journal table's write lock from a connection of the test's; released when disposed.</summary>
    protected abstract Task<IAsyncDisposable> LockJournalAsync(TestStore store);

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        _node = await PubSubNode.StartAsync(_store.Apply(new PubSubOptions()));
        _journal = Persistence.Instance.Apply(_node.System).JournalFor("akka.persistence.journal." + PubSubHostingExtensions.PersistencePluginId);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Journal_should_be_ActorPubSubs_writer_and_its_rows_should_replay_through_the_plugin()
    {
        // act
        var probe = Write(Event("orders", 1, "first"), Event("orders", 2, "second"));

        // assert: the plugin in use is ours, both events are confirmed and the plugin's own replay reads them back
        await probe.ExpectMsgAsync<WriteMessagesSuccessful>(Wait);
        Assert.IsType<WriteMessageSuccess>(await probe.ReceiveOneAsync(Wait));
        Assert.IsType<WriteMessageSuccess>(await probe.ReceiveOneAsync(Wait));
        Assert.Equal(typeof(TopicWriteJournal), JournalType());
        Assert.Equal([(1L, "first"), (2L, "second")], (await ReplayAsync("orders")).Events);
        Assert.Equal(2, await _store.QueryAsync("SELECT count(*) FROM journal WHERE persistence_id = 'orders' AND deleted = " + False));
    }

    [Fact]
    public async Task A_failing_write_should_fail_alone_when_it_shared_a_group_commit()
    {
        // arrange: "a" has event 1; the table is locked, so the writes below wait for it together
        var first = Write(Event("a", 1, "original"));
        await first.ExpectMsgAsync<WriteMessagesSuccessful>(Wait);
        var writes = await LockJournalAsync(_store);
        WriteProbe good1, good2, duplicate;
        await using (writes)
        {
            // act: two good writes and one that repeats a's sequence number 1 (a second writer of "a", say)
            good1 = Write(Event("b", 1, "b1"));
            good2 = Write(Event("c", 1, "c1"), Event("c", 2, "c2"));
            duplicate = Write(Event("a", 1, "impostor"));
            // the journal answers in mailbox order: once it answers this, it has queued the three writes above
            await ReplayAsync("marker");
        }

        // assert: the good writes are confirmed, the duplicate fails, and a keeps its original event
        await good1.ExpectMsgAsync<WriteMessagesSuccessful>(Wait);
        await good2.ExpectMsgAsync<WriteMessagesSuccessful>(Wait);
        await duplicate.ExpectMsgAsync<WriteMessagesFailed>(Wait);
        Assert.IsType<WriteMessageFailure>(await duplicate.ReceiveOneAsync(Wait));
        Assert.Equal([(1L, "b1")], (await ReplayAsync("b")).Events);
        Assert.Equal([(1L, "c1"), (2L, "c2")], (await ReplayAsync("c")).Events);
        Assert.Equal([(1L, "original")], (await ReplayAsync("a")).Events);
    }

    [Fact]
    public async Task A_payload_that_does_not_serialize_should_reject_its_own_atomic_write_only()
    {
        // act: three atomic writes of one actor; the second holds a type with no serializer binding
        var probe = new WriteProbe(_node.System);
        _journal.Tell(new WriteMessages(
            [new AtomicWrite(Event("mixed", 1, "one")), new AtomicWrite(Event("mixed", 2, new Unbound())), new AtomicWrite(Event("mixed", 3, "three"))],
            probe.Ref, actorInstanceId: 1));

        // assert: the batch succeeds, the second write is rejected with the reason, the others are stored
        await probe.ExpectMsgAsync<WriteMessagesSuccessful>(Wait);
        Assert.IsType<WriteMessageSuccess>(await probe.ReceiveOneAsync(Wait));
        var rejected = Assert.IsType<WriteMessageRejected>(await probe.ReceiveOneAsync(Wait));
        Assert.Contains(nameof(Unbound), rejected.Cause.Message, StringComparison.Ordinal);
        Assert.IsType<WriteMessageSuccess>(await probe.ReceiveOneAsync(Wait));
        Assert.Equal([(1L, "one"), (3L, "three")], (await ReplayAsync("mixed")).Events);
    }

    private sealed record Unbound;

    private string False => _store.Kind == StoreKind.PostgreSql ? "false" : "0";

    protected static Persistent Event(string persistenceId, long sequenceNr, object payload) =>
        new(payload is string s ? Encoding.UTF8.GetBytes(s) : payload, sequenceNr, persistenceId);

    protected sealed class WriteProbe(ActorSystem system) : TestProbe(system, new XunitAssertions());

    /// <summary>Sends one atomic write of <paramref name="events"/> as a persistent actor would; its answers go to the probe returned.</summary>
    protected WriteProbe Write(params Persistent[] events)
    {
        var probe = new WriteProbe(_node.System);
        _journal.Tell(new WriteMessages([new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(events))], probe.Ref, actorInstanceId: 1));
        return probe;
    }

    protected async Task<((long, string)[] Events, long Highest)> ReplayAsync(string persistenceId)
    {
        var probe = new WriteProbe(_node.System);
        _journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, persistenceId, probe.Ref));
        var events = ImmutableArray.CreateBuilder<(long, string)>();
        while (true)
        {
            switch (await probe.ReceiveOneAsync(Wait))
            {
                case ReplayedMessage m:
                    events.Add((m.Persistent.SequenceNr, Encoding.UTF8.GetString((byte[])m.Persistent.Payload)));
                    break;
                case RecoverySuccess done:
                    return (events.ToArray(), done.HighestSequenceNr);
                case var other:
                    throw new Xunit.Sdk.XunitException($"replay of {persistenceId} answered {other}");
            }
        }
    }

    /// <summary>The journal plugin's actor class, as the hosting configured it.</summary>
    private Type JournalType() =>
        Type.GetType(_node.System.Settings.Config.GetString($"akka.persistence.journal.{PubSubHostingExtensions.PersistencePluginId}.class"),
            throwOnError: true)!;
}
