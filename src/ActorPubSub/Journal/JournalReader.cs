using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;

namespace ActorPubSub.Journal;

/// <summary>
/// Reads ranges of one persistence id's journal back through the journal plugin's own replay
/// (<see cref="ReplayMessages"/>): the plugin's connection, table mapping, serializers and event adapters, so
/// whatever store the persistent actor writes to, it reads from. One range at a time, in the order asked; each
/// answer is a <see cref="Page"/> or a <see cref="ReadFailed"/>. A child of the persistent actor that owns the id.
/// </summary>
/// <remarks>
/// The plugin loads a range as one query and sends each event as its own message, without flow control, so the
/// caller bounds a page by <see cref="Read.Max"/> and by choosing ranges of known size. Reading beside the owner's
/// writes is safe: the owner only reads ranges it wrote and has not deleted.
/// </remarks>
internal sealed class JournalReader : ReceiveActor, IWithTimers
{
    /// <summary>Events <paramref name="FromSequenceNr"/>..<paramref name="ToSequenceNr"/>, at most <paramref name="Max"/>.</summary>
    public sealed record Read(long Id, long FromSequenceNr, long ToSequenceNr, long Max);

    /// <summary>The events of a range, in journal order (deleted ones are absent).</summary>
    public sealed record Page(Read Request, ImmutableArray<IPersistentRepresentation> Events);

    /// <param name="ReaderStopped">The reader stopped (the journal did not answer in time): ask a new one.</param>
    public sealed record ReadFailed(Read Request, Exception Cause, bool ReaderStopped);

    private sealed class Timeout { public static readonly Timeout Instance = new(); private Timeout() { } }

    private readonly string _persistenceId;
    private readonly IActorRef _journal;
    private readonly TimeSpan _timeout;
    private readonly Queue<(Read Request, IActorRef ReplyTo)> _queue = new();
    private (Read Request, IActorRef ReplyTo)? _current;
    private ImmutableArray<IPersistentRepresentation>.Builder _events = ImmutableArray.CreateBuilder<IPersistentRepresentation>();

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="timeout">A read the journal has not answered by then fails (the breaker or the store hangs).</param>
    public static Props Props(string persistenceId, string journalPluginId, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new JournalReader(persistenceId, journalPluginId, timeout));

    public JournalReader(string persistenceId, string journalPluginId, TimeSpan timeout)
    {
        _persistenceId = persistenceId;
        _journal = Persistence.Instance.Apply(Context.System).JournalFor(journalPluginId);
        _timeout = timeout;

        Receive<Read>(r =>
        {
            _queue.Enqueue((r, Sender));
            StartNext();
        });
        Receive<ReplayedMessage>(m =>
        {
            if (_current is not null) _events.Add(m.Persistent);
        });
        Receive<RecoverySuccess>(_ => Finish(null));
        Receive<ReplayMessagesFailure>(f => Finish(f.Cause));
        Receive<Timeout>(_ =>
        {
            // The plugin may still answer this read; its late events must not mix into the next one, so this
            // reader stops (late answers go to dead letters) and everything queued fails with it.
            var cause = new TimeoutException($"The journal did not answer a read of {_persistenceId} within {_timeout}.");
            if (_current is { } current) current.ReplyTo.Tell(new ReadFailed(current.Request, cause, ReaderStopped: true));
            foreach (var (request, replyTo) in _queue) replyTo.Tell(new ReadFailed(request, cause, ReaderStopped: true));
            _current = null;
            _queue.Clear();
            Context.Stop(Self);
        });
    }

    private void StartNext()
    {
        if (_current is not null || !_queue.TryDequeue(out var next)) return;
        _current = next;
        _events = ImmutableArray.CreateBuilder<IPersistentRepresentation>();
        var r = next.Request;
        _journal.Tell(new ReplayMessages(r.FromSequenceNr, r.ToSequenceNr, r.Max, _persistenceId, Self));
        Timers.StartSingleTimer(nameof(Timeout), Timeout.Instance, _timeout);
    }

    private void Finish(Exception? failure)
    {
        if (_current is not { } current) return;
        Timers.Cancel(nameof(Timeout));
        current.ReplyTo.Tell(failure is null
            ? new Page(current.Request, _events.ToImmutable())
            : new ReadFailed(current.Request, failure, ReaderStopped: false));
        _current = null;
        StartNext();
    }
}
