using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// One redrive of a dead-letter store: which letters go back to the topic, chunk by chunk, and which leave the store
/// once the topic confirmed their chunk. Plain state owned by <see cref="DeadLetterActor"/>: this decides, the actor
/// persists and tells. One chunk is in flight at a time.
/// </summary>
internal sealed class DeadLetterRedrive
{
    // Bytes counted per message beyond its payload, key, headers and id when sizing a chunk.
    private const int MessageOverhead = 40;

    private readonly string _topic;
    private readonly string _subscription;
    private readonly int _batch;
    private readonly int _batchBytes;
    private readonly HashSet<long> _inFlightSequences = [];
    // The letters sent in the chunk in flight, as they were when sent.
    private DeadLetterIndexEntry[] _inFlight = [];
    // Index in Targets of the first letter not yet sent.
    private int _next;

    /// <param name="topic">The store's topic, named in the replies.</param>
    /// <param name="subscription">The store's subscription, named in the replies.</param>
    /// <param name="replyTo">Who asked for the redrive, answered when it ends.</param>
    /// <param name="targets">The sequences to redrive, ascending: those that had a letter when the redrive started.</param>
    /// <param name="notFound">The requested sequences without a letter, reported at the end.</param>
    /// <param name="batch">Most messages in one chunk.</param>
    /// <param name="batchBytes">Most message bytes in one chunk; one message always goes.</param>
    public DeadLetterRedrive(string topic, string subscription, IActorRef replyTo, long[] targets, ImmutableArray<long> notFound,
        int batch, int batchBytes)
    {
        (_topic, _subscription, _batch, _batchBytes) = (topic, subscription, batch, batchBytes);
        (ReplyTo, Targets, NotFound) = (replyTo, targets, notFound);
    }

    public IActorRef ReplyTo { get; }

    public long[] Targets { get; }

    public ImmutableArray<long> NotFound { get; }

    /// <summary>Letters the topic confirmed.</summary>
    public int Redriven { get; private set; }

    /// <summary>Number of the chunk in flight (for its timeout); 0 before the first.</summary>
    public int Chunk { get; private set; }

    /// <summary>Letters in the chunk in flight; 0 when none is.</summary>
    public int InFlight => _inFlight.Length;

    /// <summary>The store was asked to stop: no further chunk is sent.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Stopped with letters not yet sent: the redrive ends early.</summary>
    public bool StoppedEarly => StopRequested && _next < Targets.Length;

    public void RequestStop() => StopRequested = true;

    /// <summary>
    /// Takes the next chunk from <paramref name="store"/> and marks it in flight; empty when every target was sent
    /// (the redrive is done). The actor reads the letters' messages back from the journal and sends them.
    /// </summary>
    public ImmutableArray<DeadLetterIndexEntry> NextChunk(DeadLetterStore store)
    {
        var chunk = new List<DeadLetterIndexEntry>(Math.Min(_batch, Targets.Length - _next));
        long bytes = 0;
        while (_next < Targets.Length && chunk.Count < _batch)
        {
            // A target always still has a letter (only a purge or a redrive removes one, and both wait for this
            // redrive), but it may be a newer dead-lettering of the same message: that one is sent.
            if (!store.TryGet(Targets[_next], out var letter))
            {
                _next++;
                continue;
            }
            var size = (long)letter.MessageSize + MessageOverhead;
            if (chunk.Count > 0 && bytes + size > _batchBytes) break;
            chunk.Add(letter);
            bytes += size;
            _next++;
        }
        if (chunk.Count == 0) return [];

        _inFlight = [.. chunk];
        _inFlightSequences.Clear();
        foreach (var letter in chunk) _inFlightSequences.Add(letter.Sequence);
        Chunk++;
        return [.. chunk];
    }

    /// <summary>
    /// Whether the topic's confirmation of <paramref name="sequences"/> answers the chunk in flight; anything else is a
    /// late answer to an earlier chunk or redrive (its chunk timed out: those letters were kept), and must not remove
    /// the current letters.
    /// </summary>
    public bool Answers(ImmutableArray<long> sequences) =>
        !sequences.IsDefault && _inFlight.Length > 0 && _inFlightSequences.SetEquals(sequences);

    /// <summary>Whether a timeout of chunk <paramref name="chunk"/> is for the chunk still in flight.</summary>
    public bool IsInFlight(int chunk) => chunk == Chunk && _inFlight.Length > 0;

    /// <summary>
    /// The topic confirmed the chunk in flight: counts it redriven and returns the sequences whose letters leave the
    /// store. Only a letter that was sent leaves: one that replaced it meanwhile (the message was redriven, failed
    /// again and came back with a new id) is a new dead-lettering and stays.
    /// </summary>
    public ImmutableArray<long> Confirm(DeadLetterStore store)
    {
        var sent = _inFlight;
        _inFlight = [];
        _inFlightSequences.Clear();
        Redriven += sent.Length;
        var leave = ImmutableArray.CreateBuilder<long>(sent.Length);
        foreach (var letter in sent)
            if (store.TryGet(letter.Sequence, out var current) && ReferenceEquals(current, letter))
                leave.Add(letter.Sequence);
        return leave.DrainToImmutable();
    }

    /// <summary>The reply when every letter was sent and confirmed.</summary>
    public DeadLettersRedriven Done() => new(_topic, _subscription, Redriven, NotFound);

    /// <summary>The reply when the topic confirmed <paramref name="sent"/> letters but the journal did not record their removal.</summary>
    public CommandRejected RemovalNotRecorded(int sent, Exception cause) => Rejected(RejectionCode.StorageFailure,
        $"The topic confirmed the last {sent} letters, but the journal did not record their removal ({cause.Message}): " +
        $"they are in the subscription again and also still in the dead-letter store. {Progress}");

    /// <summary>The reply when the chunk's messages could not be read back from the journal.</summary>
    public CommandRejected ReadFailed(string reason) => Rejected(RejectionCode.StorageFailure, $"{reason} {Progress}");

    /// <summary>The reply when the store was stopped with letters not yet sent.</summary>
    public CommandRejected Stopped() => Rejected(RejectionCode.StorageFailure,
        $"The dead-letter store of '{_topic}/{_subscription}' was stopped during the redrive (hand-off or passivation). " +
        $"{Progress} Send the redrive again.");

    /// <summary>The reply when the topic refused the chunk in flight.</summary>
    public CommandRejected Refused(CommandRejected rejection) =>
        Rejected(rejection.Code, $"The topic refused the redrive: {rejection.Reason} {Progress}");

    /// <summary>The reply when the topic did not confirm the chunk in flight within <paramref name="timeout"/>.</summary>
    public CommandRejected TimedOut(TimeSpan timeout) => Rejected(RejectionCode.StorageFailure,
        $"The topic did not confirm the redrive of {InFlight} letters within {timeout.TotalSeconds:0.###} s " +
        $"(actorpubsub.dead-letters.redrive-timeout). {Progress} Unconfirmed messages may have reached the subscription " +
        "anyway; redriving them again may deliver them twice.");

    // How far the redrive got, for a reply that ends it early.
    private string Progress =>
        $"{Redriven} of {Targets.Length} letters were redriven; the other {Targets.Length - Redriven} are kept in the dead-letter store.";

    private CommandRejected Rejected(RejectionCode code, string reason) =>
        new(_topic, _subscription, nameof(RedriveDeadLetters), code, reason);
}
