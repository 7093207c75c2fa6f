using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Sharding;
using Akka.Persistence;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>What a topic keeps and drops, its snapshots, and how it stops.</summary>
internal sealed partial class TopicActor
{
    /// <summary>
    /// Drops what no subscription needs: with subscriptions, what every one of them acknowledged, once outside
    /// the topic's retention (by default at once); without, the oldest past the unsubscribed-retention limits.
    /// </summary>
    private void Trim()
    {
        if (_messages.Count == 0) return;
        if (_subscriptions.Count > 0)
        {
            var min = LowestWatermark();
            var retention = Retention;
            if (!retention.KeepsAcked)
            {
                while (_messages.Oldest is { } oldest && oldest.Sequence <= min) _messages.RemoveOldest();
                return;
            }
            var ageCutoff = DateTime.UtcNow - retention.MaxAge;
            while (_messages.Oldest is { } oldest && oldest.Sequence <= min &&
                   (oldest.Timestamp < ageCutoff || _messages.LastSequence - oldest.Sequence >= retention.MaxMessages))
                _messages.RemoveOldest();
            return;
        }
        var cutoff = DateTime.UtcNow - _settings.UnsubscribedMaxAge;
        while (_messages.Oldest is { } oldest &&
               (_messages.Count > _settings.UnsubscribedMaxMessages || oldest.Timestamp < cutoff))
            _messages.RemoveOldest();
    }

    /// <summary>The topic is at its limits: acknowledged messages kept only for replay make room.</summary>
    private void TrimForRoom()
    {
        if (_subscriptions.Count == 0) return;
        var min = LowestWatermark();
        while (_messages.Oldest is { } oldest && oldest.Sequence <= min) _messages.RemoveOldest();
    }

    private long LowestWatermark()
    {
        var min = long.MaxValue;
        foreach (var sub in _subscriptions.Values) min = Math.Min(min, sub.Watermark);
        return min;
    }

    private void MaybeSnapshot()
    {
        var snapshotBytes = _messages.Bytes + (long)MessageOverhead * _messages.Count;
        if (_snapshotting || _bytesSinceSnapshot < Math.Max(_settings.MinSnapshotBytes, snapshotBytes)) return;
        _snapshotting = true;
        _bytesSinceSnapshot = 0;
        _log.Debug("Topic {0}: snapshot at journal position {1} ({2} retained messages)", _topic, LastSequenceNr, _messages.Count);
        var utcNow = DateTime.UtcNow;
        var last = _messages.LastSequence;
        SaveSnapshot(new TopicSnapshot(
            last,
            [.. _messages.All()],
            // A subscription created from Latest while publishes were still buffered has a watermark past the
            // persisted log; those sequence numbers are only promised once written, so the snapshot stops at the log.
            [.. _subscriptions.Values.Select(s => new SubscriptionSnapshot(
                s.Name, Math.Min(s.Watermark, last), [.. s.AckedAbove.Where(a => a <= last).Order()], s.Config,
                [.. s.Failures], [.. s.Transfers], s.LastTransferId, [.. s.Redriven]))],
            [.. _producers.PersistedRuns(last)],
            // oldest first, so a restore replays them in the order they expire and are evicted
            [.. _messageIds.Entries(utcNow).Where(e => e.Sequence <= last).OrderBy(e => e.Timestamp)],
            _retention));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        _snapshotting = false;
        var upTo = success.Metadata.SequenceNr;
        _log.Debug("Topic {0}: snapshot at {1} saved; deleting the journal up to it", _topic, upTo);
        DeleteMessages(upTo);
        DeleteSnapshots(new SnapshotSelectionCriteria(upTo - 1));
        // Writes made while this snapshot was saved may already call for the next one; take it now rather
        // than on the next write, which may never come for a topic that went quiet.
        if (!_writing) MaybeSnapshot();
    }

    /// <summary>
    /// Hand-off or passivation: deliver nothing more, wait (at most <see cref="DrainTimeout"/>) for the acks of the
    /// deliveries in flight, write what is pending, then stop. Acks that reached a stopped topic would be lost and
    /// their messages delivered again by the next incarnation (a duplicate on every rolling restart under load).
    /// </summary>
    private void BeginStop()
    {
        if (_stopping) return;
        _stopping = true;
        Context.SetReceiveTimeout(null);
        if (_subscriptions.Values.Any(s => s.InFlight > 0))
        {
            _draining = true;
            Timers.StartSingleTimer(nameof(DrainTimeout), DrainDeadline.Instance, DrainTimeout);
            return;
        }
        FinishStop();
    }

    /// <summary>Called when deliveries finish while draining: the last one ends the drain.</summary>
    private void MaybeFinishDrain()
    {
        if (_draining && _subscriptions.Values.All(s => s.InFlight == 0)) FinishStop();
    }

    private void FinishStop()
    {
        _draining = false;
        Timers.Cancel(nameof(DrainTimeout));
        TryWrite();
        if (!_writing) Context.Stop(Self);
    }

    private void PassivateIfUnknown()
    {
        // An entity started only by a query or a stray ack for a topic that does not exist goes away at once.
        if (!Exists && !_writing) Context.Parent.Tell(new Passivate(TopicStop.Instance));
    }
}
