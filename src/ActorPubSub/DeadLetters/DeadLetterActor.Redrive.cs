using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using DeadLetter = ActorPubSub.Messages.DeadLetter;

namespace ActorPubSub.DeadLetters;

/// <summary>Redrive: letters go back to the topic in chunks and leave the store once the topic confirmed them.</summary>
internal sealed partial class DeadLetterActor
{
    private const string RedriveTimerKey = "redrive";

    // Bytes counted per message beyond its payload, key, headers and id when sizing a chunk.
    private const int MessageOverhead = 40;

    /// <summary>The chunk numbered <see cref="Chunk"/> was not confirmed in time (to Self only).</summary>
    private sealed record RedriveTimeout(int Chunk);

    /// <summary>The redrive in progress.</summary>
    private sealed class Redrive(IActorRef replyTo, long[] targets, ImmutableArray<long> notFound)
    {
        public IActorRef ReplyTo { get; } = replyTo;
        /// <summary>The sequences to redrive, ascending: those that had a letter when the redrive started.</summary>
        public long[] Targets { get; } = targets;
        public ImmutableArray<long> NotFound { get; } = notFound;
        /// <summary>Index in <see cref="Targets"/> of the first letter not yet sent.</summary>
        public int Next { get; set; }
        /// <summary>Letters the topic confirmed.</summary>
        public int Redriven { get; set; }
        /// <summary>Number of the chunk in flight (for its timeout).</summary>
        public int Chunk { get; set; }
        /// <summary>The letters sent in the chunk in flight, as they were when sent.</summary>
        public DeadLetter[] InFlight { get; set; } = [];
        public HashSet<long> InFlightSequences { get; } = [];
        /// <summary>The shard asked the store to stop: no further chunk is sent.</summary>
        public bool StopRequested { get; set; }
    }

    private Redrive? _redrive;

    /// <summary>
    /// A redrive runs: the topic's answers are awaited, intake from the topic goes on, and the other operator
    /// commands wait in the stash until the redrive is over (they would see or change letters half-way).
    /// </summary>
    private void Redriving()
    {
        Command<StoreDeadLetters>(HandleStore);
        Command<MessagesRedriven>(OnRedriven);
        Command<CommandRejected>(OnRedriveRejected);
        Command<RedriveTimeout>(OnRedriveTimeout);
        // The chunk in flight is awaited (at most redrive-timeout), the rest is left, then the store stops.
        Command<DeadLetterStop>(_ => _redrive!.StopRequested = true);
        Command<ReceiveTimeout>(_ => { });
        Housekeeping();
        Command<IDeadLetterCommand>(_ => Stash.Stash());
    }

    private void StartRedrive(RedriveDeadLetters request)
    {
        if (Validate(request, nameof(RedriveDeadLetters)) is { } rejected)
        {
            Sender.Tell(rejected);
            return;
        }
        var (found, notFound) = Resolve(request.Sequences);
        if (found.Length == 0)
        {
            Sender.Tell(new DeadLettersRedriven(_topic, _subscription, 0, notFound));
            return;
        }
        _redrive = new Redrive(Sender, found, notFound);
        Become(Redriving);
        SendNextChunk();
    }

    /// <summary>Sends the next chunk, or finishes when every letter was confirmed.</summary>
    private void SendNextChunk()
    {
        var r = _redrive!;
        var chunk = new List<DeadLetter>(Math.Min(_settings.RedriveBatch, r.Targets.Length - r.Next));
        long bytes = 0;
        while (r.Next < r.Targets.Length && chunk.Count < _settings.RedriveBatch)
        {
            // A target always still has a letter (only a purge or a redrive removes one, and both wait for this
            // redrive), but it may be a newer dead-lettering of the same message: that one is sent.
            if (!_store.TryGet(r.Targets[r.Next], out var letter))
            {
                r.Next++;
                continue;
            }
            var size = letter.Message.Size + MessageOverhead;
            if (chunk.Count > 0 && bytes + size > _settings.RedriveBatchBytes) break;
            chunk.Add(letter);
            bytes += size;
            r.Next++;
        }
        if (chunk.Count == 0)
        {
            FinishRedrive(new DeadLettersRedriven(_topic, _subscription, r.Redriven, r.NotFound));
            return;
        }

        r.InFlight = [.. chunk];
        r.InFlightSequences.Clear();
        foreach (var letter in chunk) r.InFlightSequences.Add(letter.Message.Sequence);
        r.Chunk++;
        _topicRegion.Tell(new RedriveMessages(_topic, _subscription, [.. chunk.Select(l => l.Message)]), Self);
        Timers.StartSingleTimer(RedriveTimerKey, new RedriveTimeout(r.Chunk), _settings.RedriveTimeout);
    }

    private void OnRedriven(MessagesRedriven confirmed)
    {
        var r = _redrive!;
        // The topic answers with the sequences of the chunk; anything else is a late answer to an earlier chunk
        // or redrive (its chunk timed out: those letters were kept), and must not remove the current letters.
        if (!string.Equals(confirmed.Topic, _topic, StringComparison.Ordinal) ||
            !string.Equals(confirmed.Subscription, _subscription, StringComparison.Ordinal) ||
            confirmed.Sequences.IsDefault || r.InFlight.Length == 0 || !r.InFlightSequences.SetEquals(confirmed.Sequences))
        {
            _log.Debug("Dead letters {0}/{1}: ignoring a MessagesRedriven that does not answer the chunk in flight", _topic, _subscription);
            return;
        }
        Timers.Cancel(RedriveTimerKey);
        var sent = r.InFlight;
        r.InFlight = [];
        r.InFlightSequences.Clear();
        r.Redriven += sent.Length;

        // Only the letter that was sent leaves: one that replaced it meanwhile (the message was redriven, failed
        // again and came back with a new id) is a new dead-lettering and stays.
        var leave = ImmutableArray.CreateBuilder<long>(sent.Length);
        foreach (var letter in sent)
            if (_store.TryGet(letter.Message.Sequence, out var current) && ReferenceEquals(current, letter))
                leave.Add(letter.Message.Sequence);
        if (leave.Count == 0)
        {
            ContinueRedrive();
            return;
        }
        Write(new DeadLettersRemoved(leave.DrainToImmutable(), DeadLetterRemoval.Redriven), e =>
        {
            Apply(e);
            // The topic lowered its count when it took the messages back; a count this store sent it earlier (an
            // intake answer, by another path) may still arrive after that and raise it again: the new count settles it.
            _topicRegion.Tell(new DeadLetterCount(_topic, _subscription, _store.Count));
            ContinueRedrive();
        }, cause => FinishRedrive(RedriveRejected(RejectionCode.StorageFailure,
            $"The topic confirmed the last {sent.Length} letters, but the journal did not record their removal ({cause.Message}): " +
            $"they are in the subscription again and also still in the dead-letter store. {Progress(r)}")));
    }

    private void ContinueRedrive()
    {
        var r = _redrive!;
        if (r.StopRequested && r.Next < r.Targets.Length)
        {
            FinishRedrive(RedriveRejected(RejectionCode.StorageFailure,
                $"The dead-letter store of '{_topic}/{_subscription}' was stopped during the redrive (hand-off or passivation). " +
                $"{Progress(r)} Send the redrive again."));
            return;
        }
        SendNextChunk();
    }

    private void OnRedriveRejected(CommandRejected rejection)
    {
        var r = _redrive!;
        // The topic may also refuse a DeadLettersStored we sent it; only a refused RedriveMessages ends the redrive.
        if (!string.Equals(rejection.Topic, _topic, StringComparison.Ordinal) ||
            !string.Equals(rejection.Subscription, _subscription, StringComparison.Ordinal) ||
            rejection.Command != nameof(RedriveMessages) || r.InFlight.Length == 0)
        {
            _log.Debug("Dead letters {0}/{1}: the topic refused {2} ({3}): {4}", _topic, _subscription, rejection.Command, rejection.Code, rejection.Reason);
            return;
        }
        FinishRedrive(RedriveRejected(rejection.Code, $"The topic refused the redrive: {rejection.Reason} {Progress(r)}"));
    }

    private void OnRedriveTimeout(RedriveTimeout timeout)
    {
        var r = _redrive!;
        if (timeout.Chunk != r.Chunk || r.InFlight.Length == 0) return;
        FinishRedrive(RedriveRejected(RejectionCode.StorageFailure,
            $"The topic did not confirm the redrive of {r.InFlight.Length} letters within {_settings.RedriveTimeout.TotalSeconds:0.###} s " +
            $"(actorpubsub.dead-letters.redrive-timeout). {Progress(r)} Unconfirmed messages may have reached the subscription " +
            "anyway; redriving them again may deliver them twice."));
    }

    private string Progress(Redrive r) =>
        $"{r.Redriven} of {r.Targets.Length} letters were redriven; the other {r.Targets.Length - r.Redriven} are kept in the dead-letter store.";

    private CommandRejected RedriveRejected(RejectionCode code, string reason) =>
        new(_topic, _subscription, nameof(RedriveDeadLetters), code, reason);

    private void FinishRedrive(object reply)
    {
        var r = _redrive!;
        _redrive = null;
        Timers.Cancel(RedriveTimerKey);
        if (reply is CommandRejected rejected)
            _log.Warning("Dead letters {0}/{1}: redrive ended early: {2}", _topic, _subscription, rejected.Reason);
        r.ReplyTo.Tell(reply);
        Become(Idle);
        Stash.UnstashAll();
        // The stashed commands are answered first (UnstashAll puts them at the front of the mailbox), then it stops.
        if (r.StopRequested) Self.Tell(DeadLetterStop.Instance);
    }
}
