using Akka.Actor;
using Akka.Event;
using ActorPubSub.Observability;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// Hands poison messages to each subscription's dead-letter store and takes them back on a redrive.
/// </summary>
/// <remarks>
/// A dead-lettering is written to the topic's journal first (MessagesDeadLettered, with a transfer number);
/// only then is it sent to the store, and resent (every unconfirmed transfer, in order) until the store
/// confirms. The message is not delivered from the moment it is dead-lettered and counts as acknowledged once
/// confirmed, so it is never both in the store and pending; a crash in between resends the same numbers,
/// which the store keeps once.
/// </remarks>
/// <param name="store">The dead-letter shard region.</param>
/// <param name="self">The topic: the store answers it.</param>
internal sealed class DeadLetterOutbox(string topic, IActorRef store, IActorRef self, ILoggingAdapter log)
{
    public const int MaxTransferLetters = 100;
    // Stays within Akka.Remote's frame (max-message-size + 320 KiB) when the store is on another node; one letter always goes.
    public const int MaxTransferBytes = 1024 * 1024;

    private readonly HashSet<string> _waitingForRead = new(StringComparer.Ordinal);

    /// <summary>Applies a dead-lettering event; a written one may go to the store.</summary>
    public static void Apply(SubscriptionTable subscriptions, MessagesDeadLettered e, bool persisted)
    {
        if (!subscriptions.TryGet(e.Subscription, out var sub) || e.Transfers.IsDefaultOrEmpty) return;
        foreach (var t in e.Transfers) sub.ApplyDeadLettered(t);
        if (persisted) sub.MarkTransfersPersisted(e.Transfers[^1].Id);
    }

    /// <summary>The dead-lettering is written: now it may go to the store (a crash from here on resends the same numbers).</summary>
    public void Written(SubscriptionTable subscriptions, MessagesDeadLettered e)
    {
        if (!subscriptions.TryGet(e.Subscription, out var sub)) return;
        sub.MarkTransfersPersisted(e.Transfers[^1].Id);
        Send(sub);
    }

    /// <summary>A read of the log finished: sends again what waited for a message to come back from the journal.</summary>
    public void ResendAfterRead(SubscriptionTable subscriptions)
    {
        if (_waitingForRead.Count == 0) return;
        var waiting = _waitingForRead.ToArray();
        _waitingForRead.Clear();
        foreach (var name in waiting)
            if (subscriptions.TryGet(name, out var sub)) Send(sub);
    }

    /// <summary>Sends the subscription's written, unconfirmed transfers to its store, in order, in chunks.</summary>
    public void Send(SubscriptionState sub)
    {
        if (sub.Transfers.Count == 0) return;
        var letters = new List<DeadLetter>();
        var bytes = 0;
        foreach (var t in sub.Transfers)
        {
            if (t.Id > sub.PersistedTransferId) break;
            if (sub.Find(t.Sequence) is not { } message)
            {
                // On disk only: the log reads it back, and the topic sends again after the read (ResendAfterRead).
                _waitingForRead.Add(sub.Name);
                break;
            }
            if (letters.Count == MaxTransferLetters || (letters.Count > 0 && bytes + message.Size > MaxTransferBytes))
            {
                Tell(sub, letters);
                letters = [];
                bytes = 0;
            }
            letters.Add(new DeadLetter(t.Id, message, t.Attempts, t.FirstFailure, t.LastFailure, t.Error, t.Reason));
            bytes += message.Size;
        }
        if (letters.Count > 0) Tell(sub, letters);
    }

    /// <summary>
    /// A recovered topic does not know how many letters its subscription's store holds: it asks the stores of
    /// subscriptions that dead-lettered before (an empty intake, which every store answers with its count). Others
    /// report theirs at their next change; a subscription that never dead-lettered wakes no store.
    /// </summary>
    public void AskCount(SubscriptionState sub)
    {
        if (sub.LastTransferId == 0 || sub.Transfers.Count > 0) return;   // transfers being sent are answered with the count too
        Tell(sub, []);
    }

    /// <summary>The store confirmed transfers: the event to write, or null when nothing new is confirmed.</summary>
    public static DeadLettersConfirmed? Stored(SubscriptionTable subscriptions, DeadLettersStored stored)
    {
        if (!subscriptions.TryGet(stored.Subscription, out var sub) || sub.Config.Incarnation != stored.Incarnation) return null;
        return sub.ConfirmTransfers(stored.UpToId) ? new DeadLettersConfirmed(sub.Name, stored.UpToId) : null;
    }

    /// <summary>The store reported how many letters it holds (for the gauges); false for an unknown subscription.</summary>
    public static bool Counted(SubscriptionTable subscriptions, DeadLetterCount count)
    {
        if (!subscriptions.TryGet(count.Subscription, out var sub)) return false;
        sub.StoredDeadLetters = count.Count;
        return true;
    }

    /// <summary>Puts redriven messages back into the subscription; returns the event to write.</summary>
    public static RedriveRecorded Redrive(SubscriptionState sub, RedriveMessages r)
    {
        sub.Redrive(r.Messages);
        // The store removes these letters once this write confirms them; its next count corrects any difference.
        if (sub.StoredDeadLetters is { } stored) sub.StoredDeadLetters = Math.Max(0, stored - r.Messages.Length);
        return new RedriveRecorded(sub.Name, r.Messages);
    }

    /// <summary>Counts and logs the messages a subscription just dead-lettered.</summary>
    public void Report(SubscriptionTable subscriptions, MessagesDeadLettered dead)
    {
        if (!subscriptions.TryGet(dead.Subscription, out var sub)) return;
        foreach (var t in dead.Transfers)
        {
            sub.Metrics.DeadLettered(t.Reason);
            var correlationId = sub.Find(t.Sequence) is { } message ? TraceContext.CorrelationIdOf(message.Headers) : null;
            log.Warning("Topic {Topic}/{Subscription}: message {Sequence} dead-lettered ({Reason}, correlation id {CorrelationId}): {Error}",
                topic, dead.Subscription, t.Sequence, $"{t.Reason} after {t.Attempts} attempts", correlationId ?? "none", t.Error);
        }
    }

    private void Tell(SubscriptionState sub, List<DeadLetter> letters) =>
        store.Tell(new StoreDeadLetters(topic, sub.Name, sub.Config.Incarnation, [.. letters]), self);
}
