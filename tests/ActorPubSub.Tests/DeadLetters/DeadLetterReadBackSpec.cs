using System.Collections.Immutable;
using Akka.Persistence;
using ActorPubSub.DeadLetters;
using ActorPubSub.Journal;
using ActorPubSub.Messages;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>Which journal ranges a read-back asks for, what it keeps of the events read, and a lost range.</summary>
[Trait("Category", "Unit")]
public sealed class DeadLetterReadBackSpec
{
    private static readonly Guid A = Guid.Parse("11111111-1111-1111-1111-111111111111");

    // Events 1..3 of 10 letters of 1,000 payload bytes each (about 10.6 kB an event), event 5 of one small letter.
    private static (DeadLetterStore Store, Dictionary<long, DeadLettersAdded> Events) Store()
    {
        var store = new DeadLetterStore();
        var events = new Dictionary<long, DeadLettersAdded>();
        for (var e = 1; e <= 3; e++)
            events[e] = new DeadLettersAdded(A, [.. Enumerable.Range((e - 1) * 10 + 1, 10).Select(i => Letter(i, i, payloadBytes: 1000))]);
        events[5] = new DeadLettersAdded(A, [Letter(31, 31)]);
        foreach (var (seqNr, e) in events) store.Add(e, seqNr);
        return (store, events);
    }

    private static JournalReader.Page PageOf(JournalReader.Read read, Dictionary<long, DeadLettersAdded> events, params long[] lost) =>
        new(read, [.. events.Where(e => e.Key >= read.FromSequenceNr && e.Key <= read.ToSequenceNr && !lost.Contains(e.Key))
            .OrderBy(e => e.Key).Select(e => (IPersistentRepresentation)new Persistent(e.Value, e.Key, "deadletters:orders:billing"))]);

    [Fact]
    public void Read_back_should_read_adjacent_events_together_within_the_byte_budget_and_keep_only_the_wanted_letters()
    {
        // arrange: letters from events 1, 2, 3 and 5; a budget of about two events
        var (store, events) = Store();
        ImmutableArray<DeadLetterIndexEntry> wanted = [.. new long[] { 1, 12, 25, 31 }.Select(s => { store.TryGet(s, out var e); return e!; })];
        var read = new DeadLetterReadBack(7, "deadletters:orders:billing", wanted, store, maxBytes: 25_000);

        // act
        var reads = new List<JournalReader.Read>();
        while (read.Next() is { } next)
        {
            reads.Add(next);
            Assert.True(read.InFlightBytes > 0);
            read.Take(PageOf(next, events), out var missing);
            Assert.Null(missing);
        }

        // assert: 1..2 together, 3 alone (the budget), 5 alone (not adjacent); four letters kept, in the order asked
        Assert.Equal([(1L, 2L), (3L, 3L), (5L, 5L)], reads.Select(r => (r.FromSequenceNr, r.ToSequenceNr)));
        Assert.All(reads, r => Assert.Equal(7, r.Id));
        Assert.True(read.Done);
        Assert.Equal([1L, 12L, 25L, 31L], read.Letters().Select(l => l.Message.Sequence));
        AssertEquivalent(events[3].Letters[4], read.Letters()[2]);
        Assert.Equal(read.Letters().Sum(l => (long)l.Message.Size + l.LastError.Length + DeadLetterStore.LetterOverhead), read.Bytes);
        Assert.True(read.Bytes < 4 * 1200);   // the 27 other letters read were not kept
    }

    [Fact]
    public void Read_back_should_name_the_range_a_lost_event_leaves_without_its_letters()
    {
        var (store, events) = Store();
        store.TryGet(12, out var entry);
        var read = new DeadLetterReadBack(1, "deadletters:orders:billing", [entry!], store, maxBytes: 1_000_000);

        read.Take(PageOf(read.Next()!, events, lost: 2), out var missing);

        Assert.Equal("The journal of 'deadletters:orders:billing' lacks the dead letters of events 2..2 (1 letter(s), e.g. message sequence 12; read 2..2)", missing);
    }

    [Fact]
    public void Read_back_of_bodies_in_memory_should_need_no_read()
    {
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 5, 6)));   // no journal position: an old snapshot's letters
        store.TryGet(6, out var entry);

        var read = new DeadLetterReadBack(1, "p", [entry!], store, 1000);

        Assert.True(read.Done);
        Assert.Null(read.Next());
        AssertEquivalent(Letter(2, 6), read.Letters()[0]);
    }
}
