using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// Dedup of resending producers. For each producer it keeps the runs of producer numbers it stored and the
/// topic sequences they got, only as far back as the producer's floor (the lowest number the producer still
/// waits for), so the table stays as small as the producers' windows of unconfirmed publishes.
/// </summary>
/// <remarks>
/// Producers number their publishes to a topic 1, 2, 3, … and resend in order. Sharding may drop a message
/// (at-most-once), so a number can arrive after a gap; the topic refuses it (<see cref="Verdict.Gap"/>) and
/// waits for the producer's in-order resend, which keeps "stored once" decidable with one number per
/// producer. A producer forgotten after <c>producer-expiry</c> of silence is safe to forget: everything
/// it may still resend is at or above its floor, and its next publish carries that floor.
/// </remarks>
internal sealed class ProducerTable
{
    public enum Verdict
    {
        /// <summary>The next number: store it.</summary>
        Accept,
        /// <summary>Already stored and persisted: answer with the original sequence.</summary>
        Duplicate,
        /// <summary>Already accepted, its write still running: its receipt follows, ignore the resend.</summary>
        DuplicatePending,
        /// <summary>Ahead of the next expected number: an earlier publish was lost; wait for the resend.</summary>
        Gap,
        /// <summary>Below the producer's floor: the producer no longer waits for it.</summary>
        Stale,
    }

    private sealed class Producer
    {
        public readonly List<ProducerRun> Runs = [];
        public long LastProducerSeq;
        public long Floor;
        public long LastSeen;
    }

    private readonly Dictionary<string, Producer> _producers = new(StringComparer.Ordinal);

    public int Count => _producers.Count;

    public (Verdict Verdict, long Sequence) Check(string producerId, long producerSeq, long floor, long lastPersisted, long now)
    {
        if (!_producers.TryGetValue(producerId, out var p))
        {
            var first = Math.Max(1, floor);
            if (producerSeq == first) return (Verdict.Accept, 0);
            return producerSeq > first ? (Verdict.Gap, 0) : (Verdict.Stale, 0);
        }

        p.LastSeen = now;
        if (floor > p.Floor) Prune(p, floor);
        var expected = Math.Max(p.LastProducerSeq + 1, p.Floor);
        if (producerSeq == expected) return (Verdict.Accept, 0);
        if (producerSeq > expected) return (Verdict.Gap, 0);
        if (producerSeq > p.LastProducerSeq) return (Verdict.Stale, 0);   // abandoned by the producer
        // Pruning drops whole runs, so a run straddling the floor still holds numbers below it: answer by the floor.
        if (producerSeq < p.Floor) return (Verdict.Stale, 0);
        var seq = Find(p, producerSeq);
        if (seq == 0) return (Verdict.Stale, 0);
        return seq <= lastPersisted ? (Verdict.Duplicate, seq) : (Verdict.DuplicatePending, seq);
    }

    /// <summary>Records an accepted publish (called in the order publishes are accepted).</summary>
    public void Record(string producerId, long producerSeq, long sequence, long floor, long now)
    {
        if (!_producers.TryGetValue(producerId, out var p))
            _producers[producerId] = p = new Producer { Floor = floor };
        p.LastSeen = now;
        Append(p, new ProducerRun(producerId, producerSeq, sequence, 1));
    }

    /// <summary>
    /// A publish was refused (too large, or the topic was full): the producer's next number follows it, so the
    /// publishes it already sent after this one are taken in turn instead of waiting as a gap for a resend that never
    /// comes. Kept in memory only: after a restart the producer's floor has moved past a refused number.
    /// </summary>
    public void Refused(string producerId, long producerSeq, long floor, long now)
    {
        if (!_producers.TryGetValue(producerId, out var p))
            _producers[producerId] = p = new Producer { Floor = floor };
        p.LastSeen = now;
        p.LastProducerSeq = Math.Max(p.LastProducerSeq, producerSeq);
    }

    /// <summary>Replays a stored run (recovery): the same effect as recording each of its publishes.</summary>
    public void Restore(ProducerRun run, long now)
    {
        if (!_producers.TryGetValue(run.ProducerId, out var p))
            _producers[run.ProducerId] = p = new Producer();
        p.LastSeen = now;
        Append(p, run);
    }

    /// <summary>Forgets producers silent for longer than <paramref name="expiryTicks"/>.</summary>
    public void Expire(long now, long expiryTicks)
    {
        List<string>? gone = null;
        foreach (var (id, p) in _producers)
            if (now - p.LastSeen > expiryTicks) (gone ??= []).Add(id);
        if (gone is not null) foreach (var id in gone) _producers.Remove(id);
    }

    /// <summary>
    /// The runs to put in a snapshot: only what is persisted (up to <paramref name="lastPersisted"/>), so a
    /// recovered topic never answers a resend with the sequence of a publish that was never written.
    /// </summary>
    public IEnumerable<ProducerRun> PersistedRuns(long lastPersisted)
    {
        foreach (var p in _producers.Values)
            foreach (var run in p.Runs)
            {
                if (run.FirstSequence > lastPersisted) continue;
                var persisted = (int)Math.Min(run.Count, lastPersisted - run.FirstSequence + 1);
                yield return persisted == run.Count ? run : run with { Count = persisted };
            }
    }

    private static void Append(Producer p, ProducerRun run)
    {
        if (p.Runs.Count > 0)
        {
            var last = p.Runs[^1];
            if (last.LastProducerSeq + 1 == run.FirstProducerSeq && last.FirstSequence + last.Count == run.FirstSequence)
            {
                p.Runs[^1] = last with { Count = last.Count + run.Count };
                p.LastProducerSeq = Math.Max(p.LastProducerSeq, run.LastProducerSeq);
                return;
            }
        }
        p.Runs.Add(run);
        p.LastProducerSeq = Math.Max(p.LastProducerSeq, run.LastProducerSeq);
    }

    private static void Prune(Producer p, long floor)
    {
        p.Floor = floor;
        var drop = 0;
        while (drop < p.Runs.Count && p.Runs[drop].LastProducerSeq < floor) drop++;
        if (drop > 0) p.Runs.RemoveRange(0, drop);
    }

    private static long Find(Producer p, long producerSeq)
    {
        // Runs are few (a producer's unconfirmed window); scan from the newest, where resends usually land.
        for (var i = p.Runs.Count - 1; i >= 0; i--)
        {
            var run = p.Runs[i];
            if (producerSeq >= run.FirstProducerSeq && producerSeq <= run.LastProducerSeq)
                return run.FirstSequence + (producerSeq - run.FirstProducerSeq);
        }
        return 0;
    }
}
