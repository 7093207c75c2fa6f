using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;

namespace ActorPubSub.Journal;

/// <summary>
/// Persistent actors that take a write as done once it is written and acknowledge only once it is synced. A
/// <see cref="TopicWriteJournal"/> whose store syncs separately completes a listener's writes when they are written (the
/// actor applies them, and a topic delivers their messages), then tells it <see cref="JournalSynced"/> or
/// <see cref="JournalSyncFailed"/>. Writes of persistence ids that do not listen complete when synced, as before.
/// </summary>
/// <remarks>One per ActorSystem; holds no system alive (a weak table).</remarks>
internal sealed class SyncNotices
{
    private static readonly ConditionalWeakTable<ActorSystem, SyncNotices> Systems = new();

    private readonly ConcurrentDictionary<string, IActorRef> _listeners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IActorRef, bool> _splittingJournals = new();

    public static SyncNotices For(ActorSystem system) => Systems.GetValue(system, _ => new SyncNotices());

    /// <summary>Called by a journal whose writes are written before they are synced, before it takes any write.</summary>
    public void JournalSplits(IActorRef journal) => _splittingJournals[journal] = true;

    /// <summary>
    /// True when <paramref name="journal"/> tells its listeners when their writes are synced. Asked once a write of the
    /// journal completed (the journal registered itself before it took that write).
    /// </summary>
    public bool Splits(IActorRef journal) => _splittingJournals.ContainsKey(journal);

    /// <summary>Hears of <paramref name="persistenceId"/>'s syncs from now on (replaces an earlier incarnation).</summary>
    public void Listen(string persistenceId, IActorRef listener) => _listeners[persistenceId] = listener;

    /// <summary>Stops <paramref name="listener"/> hearing; a newer listener for the same persistence id stays.</summary>
    public void Leave(string persistenceId, IActorRef listener) =>
        _listeners.TryRemove(new KeyValuePair<string, IActorRef>(persistenceId, listener));

    /// <summary>The actor to tell of <paramref name="persistenceId"/>'s syncs, or null when none listens.</summary>
    public IActorRef? ListenerOf(string persistenceId) => _listeners.TryGetValue(persistenceId, out var listener) ? listener : null;
}
