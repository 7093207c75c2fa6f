using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Observability;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;
using DeadLetter = ActorPubSub.Messages.DeadLetter;

namespace ActorPubSub.Topics;

/// <summary>
/// Handing poison messages to the subscription's dead-letter store, and taking them back on a redrive.
/// </summary>
/// <remarks>
/// A dead-lettering is written to the topic's journal first (MessagesDeadLettered, with a transfer number);
/// only then is it sent to the store, and resent (every unconfirmed transfer, in order) until the store
/// confirms. The message is not delivered from the moment it is dead-lettered and counts as acknowledged once
/// confirmed, so it is never both in the store and pending; a crash in between resends the same numbers,
/// which the store keeps once.
/// </remarks>
internal sealed partial class TopicActor
{
    private const int MaxTransferLetters = 100;
    // Stays within Akka.Remote's frame (max-message-size + 320 KiB) when the store is on another node; one letter always goes.
    private const int MaxTransferBytes = 1024 * 1024;

    private void ApplyDeadLettered(MessagesDeadLettered e, bool persisted)
    {
        if (!_subscriptions.TryGetValue(e.Subscription, out var sub) || e.Transfers.IsDefaultOrEmpty) return;
        foreach (var t in e.Transfers) sub.ApplyDeadLettered(t);
        if (persisted) sub.MarkTransfersPersisted(e.Transfers[^1].Id);
    }

    /// <summary>Sends the subscription's written, unconfirmed transfers to its store, in order, in chunks.</summary>
    private void SendTransfers(SubscriptionState sub)
    {
        if (sub.Transfers.Count == 0) return;
        var letters = new List<DeadLetter>();
        var bytes = 0;
        foreach (var t in sub.Transfers)
        {
            if (t.Id > sub.PersistedTransferId) break;
            if (sub.Find(t.Sequence) is not { } message)
            {
                // Cannot happen: an unconfirmed message is unacknowledged, so the log (or a redriven copy) keeps it.
                _log.Error("Topic {0}/{1}: dead-lettered message {2} is not retained; it cannot be sent to the dead-letter store",
                    _topic, sub.Name, t.Sequence);
                break;
            }
            if (letters.Count == MaxTransferLetters || (letters.Count > 0 && bytes + message.Size > MaxTransferBytes))
            {
                Send(letters);
                letters = [];
                bytes = 0;
            }
            letters.Add(new DeadLetter(t.Id, message, t.Attempts, t.FirstFailure, t.LastFailure, t.Error, t.Reason));
            bytes += message.Size;
        }
        if (letters.Count > 0) Send(letters);

        void Send(List<DeadLetter> chunk) =>
            _deadLetters.Tell(new StoreDeadLetters(_topic, sub.Name, sub.Config.Incarnation, [.. chunk]), Self);
    }

    private void HandleDeadLettersStored(DeadLettersStored stored)
    {
        if (!_subscriptions.TryGetValue(stored.Subscription, out var sub) || sub.Config.Incarnation != stored.Incarnation) return;
        if (!sub.ConfirmTransfers(stored.UpToId)) return;
        _bufferedControl.Add(new DeadLettersConfirmed(sub.Name, stored.UpToId));
        TryWrite();
        Trim();
    }

    private void HandleRedrive(RedriveMessages r)
    {
        if (ValidateCommand(r.Topic, r.Subscription, nameof(RedriveMessages)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (FindSubscription(r.Subscription, nameof(RedriveMessages), Sender) is not { } sub) return;
        var last = _messages.LastSequence;
        foreach (var m in r.Messages)
        {
            if (m.Sequence >= 1 && m.Sequence <= last && m.Size <= _settings.MaxMessageSize) continue;
            Sender.Tell(Rejected(r.Subscription, nameof(RedriveMessages), RejectionCode.Invalid,
                $"Message {m.Sequence} cannot be redriven into topic '{_topic}': sequences run from 1 to {last} and " +
                $"messages are at most {_settings.MaxMessageSize} bytes."));
            return;
        }
        // Acks that arrived before the redrive must be written before it: a replay that saw the redrive first
        // would treat an acknowledged message as still pending and then drop it with the ack.
        FlushAcksToControl();
        sub.Redrive(r.Messages);
        // The store removes these letters once this write confirms them; its next count corrects any difference.
        if (sub.StoredDeadLetters is { } stored) sub.StoredDeadLetters = Math.Max(0, stored - r.Messages.Length);
        _bufferedControl.Add(new RedriveRecorded(sub.Name, r.Messages));
        _bufferedReplies.Add(new Reply(Sender, new MessagesRedriven(_topic, sub.Name, [.. r.Messages.Select(m => m.Sequence)])));
        _log.Info("Topic {0}/{1}: {2} messages redriven from the dead-letter store", _topic, sub.Name, r.Messages.Length);
        TryWrite();
        Pump(sub);
    }

    /// <summary>Buffers a failure or dead-lettering event for the next write, merging with the previous one of its kind.</summary>
    private void BufferDeliveryEvent(ITopicEvent e)
    {
        if (e is MessagesDeadLettered dead && _subscriptions.TryGetValue(dead.Subscription, out var sub))
            foreach (var t in dead.Transfers)
            {
                sub.Metrics.DeadLettered(t.Reason);
                var correlationId = sub.Find(t.Sequence) is { } message ? TraceContext.CorrelationIdOf(message.Headers) : null;
                _log.Warning("Topic {Topic}/{Subscription}: message {Sequence} dead-lettered ({Reason}, correlation id {CorrelationId}): {Error}",
                    _topic, dead.Subscription, t.Sequence, $"{t.Reason} after {t.Attempts} attempts", correlationId ?? "none", t.Error);
            }
        if (_bufferedControl.Count > 0)
        {
            switch (_bufferedControl[^1], e)
            {
                case (DeliveriesFailed previous, DeliveriesFailed next):
                    _bufferedControl[^1] = new DeliveriesFailed(previous.Failures.AddRange(next.Failures));
                    return;
                case (MessagesDeadLettered previous, MessagesDeadLettered next) when previous.Subscription == next.Subscription:
                    _bufferedControl[^1] = new MessagesDeadLettered(previous.Subscription, previous.Transfers.AddRange(next.Transfers));
                    return;
            }
        }
        _bufferedControl.Add(e);
    }
}
