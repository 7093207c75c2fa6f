using Akka.Actor;

namespace ActorPubSub.Topics;

/// <summary>
/// The topic's transient credit, granted per publisher from one pool (<c>topic.transient-credit-pool</c>), the way
/// Reactive Streams and NATS flow control work: a publisher tells how many messages it has waiting
/// (<see cref="TransientDemand"/>), the topic grants what the pool has free (<see cref="TransientAccepted"/>), and a
/// grant comes back to the pool only when the messages it paid for have left the topic (handed to every subscription's
/// consumers, or dropped). The messages parked at the topic for these publishers are therefore at most the pool,
/// however many publishers there are; a publisher beyond it waits at its client (its <c>PublishOptions.Overflow</c>).
/// Free credit is shared round robin, at most an equal share of the pool per publisher and turn, so one fast publisher
/// cannot keep the others out. A publisher that terminates (the topic watches it) gives back what it held unused at once,
/// and the rest as its parked messages leave.
/// </summary>
internal sealed class TransientCredit(int pool)
{
    private sealed class Publisher
    {
        public int Outstanding;   // granted and not yet through the topic (unused, on the wire, or parked)
        public int Wanted;        // the publisher's last demand, less what was granted since
        public bool Gone;         // terminated: only its parked messages still count
    }

    private readonly Dictionary<IActorRef, Publisher> _publishers = [];
    private readonly List<IActorRef> _order = [];   // round-robin order of the publishers
    private int _next;
    private int _outstanding;

    public int Pool { get; } = pool;

    /// <summary>Credit granted and not yet through the topic, over all publishers (never above <see cref="Pool"/>).</summary>
    public int Outstanding => _outstanding;

    /// <summary>Publishers the topic keeps credit state for (the live ones and the gone ones with messages parked).</summary>
    public int Publishers => _publishers.Count;

    public bool IsPublisher(IActorRef actor) => _publishers.TryGetValue(actor, out var p) && !p.Gone;

    /// <summary>
    /// <paramref name="wanted"/>: how many messages the publisher has waiting beyond its credit (its latest word replaces
    /// the earlier one, so a demand sent again after a lost one or a topic restart does no harm). True when the
    /// publisher is new (the caller watches it).
    /// </summary>
    public bool Demand(IActorRef publisher, int wanted)
    {
        var isNew = false;
        if (!_publishers.TryGetValue(publisher, out var p) || p.Gone)
        {
            if (p is null)
            {
                p = new Publisher();
                _publishers[publisher] = p;
                _order.Add(publisher);
            }
            p.Gone = false;
            isNew = true;
        }
        p.Wanted = Math.Max(0, wanted);
        return isNew;
    }

    /// <summary>
    /// <paramref name="count"/> of the publisher's messages left the topic: their credit returns to the pool. False when
    /// the sender asks for no credit (a client older than this protocol: the caller gives it the count back itself).
    /// </summary>
    public bool Through(IActorRef publisher, int count)
    {
        if (!_publishers.TryGetValue(publisher, out var p)) return false;
        var back = Math.Min(count, p.Outstanding);
        p.Outstanding -= back;
        _outstanding -= back;
        if (p.Gone && p.Outstanding == 0) Forget(publisher);
        return true;
    }

    /// <summary>
    /// The publisher terminated with <paramref name="parked"/> messages still at the topic: the rest of its credit (unused,
    /// or lost on the way) returns to the pool now, the parked part as those leave. It is forgotten once nothing is parked.
    /// </summary>
    public void Gone(IActorRef publisher, int parked)
    {
        if (!_publishers.TryGetValue(publisher, out var p)) return;
        var keep = Math.Clamp(parked, 0, p.Outstanding);
        _outstanding -= p.Outstanding - keep;
        p.Outstanding = keep;
        p.Wanted = 0;
        p.Gone = true;
        if (keep == 0) Forget(publisher);
    }

    /// <summary>Grants the free pool to the publishers that want credit, round robin in equal shares.</summary>
    public List<(IActorRef Publisher, int Count)> Grant()
    {
        var grants = new List<(IActorRef, int)>();
        while (_outstanding < Pool)
        {
            var wanting = 0;
            foreach (var p in _publishers.Values) if (p.Wanted > 0 && !p.Gone) wanting++;
            if (wanting == 0) break;
            var share = Math.Max(1, (Pool - _outstanding) / wanting);
            for (var k = 0; k < _order.Count && _outstanding < Pool; k++)
            {
                var actor = _order[(_next + k) % _order.Count];
                var p = _publishers[actor];
                if (p.Gone || p.Wanted == 0) continue;
                var n = Math.Min(Math.Min(p.Wanted, share), Pool - _outstanding);
                p.Wanted -= n;
                p.Outstanding += n;
                _outstanding += n;
                var i = grants.FindIndex(g => g.Item1.Equals(actor));
                if (i >= 0) grants[i] = (actor, grants[i].Item2 + n);
                else grants.Add((actor, n));
            }
            _next = _order.Count == 0 ? 0 : (_next + 1) % _order.Count;
        }
        return grants;
    }

    private void Forget(IActorRef publisher)
    {
        _publishers.Remove(publisher);
        var i = _order.IndexOf(publisher);
        _order.RemoveAt(i);
        if (_next > i) _next--;
        if (_order.Count == 0 || _next >= _order.Count) _next = 0;
    }
}
