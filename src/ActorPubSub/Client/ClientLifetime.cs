using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPubSub.Client;

/// <summary>
/// Whether the client can still reach ActorPubSub. It closes when the ActorSystem terminates or this member is removed
/// from the cluster (downed, or left); from then on every <see cref="IPubSub"/> call fails at once with a
/// <see cref="PubSubUnavailableException"/> naming why, and calls that were waiting fail the same way
/// (<see cref="Closing"/> is cancelled). Without this, a publish after termination waited forever: its message went to
/// a stopped actor, and the Ask timeouts of a terminated system's scheduler never fire.
/// </summary>
internal sealed class ClientLifetime
{
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Action> _onClose = [];
    private string? _reason;

    public ClientLifetime(ExtendedActorSystem system)
    {
        var log = Logging.GetLogger(system, typeof(PubSubClient));
        system.WhenTerminated.ContinueWith(_ => Close($"its ActorSystem '{system.Name}' terminated"), TaskScheduler.Default);
        if (system.Provider is not IClusterActorRefProvider) return;
        var cluster = Cluster.Get(system);
        cluster.RegisterOnMemberRemoved(() =>
        {
            var shutdown = CoordinatedShutdown.Get(system).ShutdownReason;
            var downed = shutdown is null or CoordinatedShutdown.ClusterDowningReason or CoordinatedShutdown.ClusterLeavingReason;
            var reason = downed
                ? $"this member ({cluster.SelfAddress}) was downed or removed from the cluster"
                : $"its ActorSystem '{system.Name}' is shutting down ({shutdown!.GetType().Name})";
            // A member that loses its cluster must say so loudly: until the host is rebuilt, nothing is published or consumed.
            if (downed && shutdown is not CoordinatedShutdown.ClusterLeavingReason)
                log.Error("ActorPubSub client: {0}; every IPubSub call now fails with PubSubUnavailableException. Restart the host to rejoin.", reason);
            Close(reason);
        });
    }

    /// <summary>Cancelled when the client closes: link it into every wait.</summary>
    public CancellationToken Closing => _closing.Token;

    public bool IsClosed => Volatile.Read(ref _reason) is not null;

    /// <summary>The exception every call gets once the client closed.</summary>
    public PubSubUnavailableException Unavailable() =>
        new($"ActorPubSub is unavailable: {Volatile.Read(ref _reason) ?? "the client is closing"}.");

    public void ThrowIfClosed()
    {
        if (IsClosed) throw Unavailable();
    }

    /// <summary>Runs <paramref name="action"/> when the client closes (at once when it already has).</summary>
    public void OnClose(Action action)
    {
        lock (_onClose)
        {
            if (!IsClosed)
            {
                _onClose.Add(action);
                return;
            }
        }
        action();
    }

    private void Close(string reason)
    {
        Action[] actions;
        lock (_onClose)
        {
            if (Interlocked.CompareExchange(ref _reason, reason, null) is not null) return;
            actions = [.. _onClose];
            _onClose.Clear();
        }
        _closing.Cancel();
        foreach (var action in actions) action();
    }
}
