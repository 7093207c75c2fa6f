using Akka.Actor;
using Akka.Cluster;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The client's view of the cluster over time: each change of a member's status or reachability, stamped with the
/// ledger's clock, so the printed figures show how long detection, downing and removal took after a fault.
/// Samples the client's current cluster state ten times a second (the state the cluster extension keeps up to date).
/// </summary>
public sealed class MembershipTimeline : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(double At, string Change)> _changes = [];
    private readonly Task _loop;

    public MembershipTimeline(ActorSystem system, MessageLedger ledger, Func<string, string> name)
    {
        _loop = Task.Run(async () =>
        {
            var cluster = Cluster.Get(system);
            var last = new Dictionary<string, string>();
            while (!_stop.IsCancellationRequested)
            {
                var state = cluster.State;
                var now = state.Members.ToDictionary(m => m.Address.ToString(),
                    m => state.Unreachable.Contains(m) ? $"{m.Status}, unreachable" : m.Status.ToString());
                lock (_changes)
                {
                    foreach (var (address, status) in now)
                        if (!last.TryGetValue(address, out var before) || before != status) _changes.Add((ledger.Now, $"{name(address)} {status}"));
                    foreach (var address in last.Keys.Except(now.Keys)) _changes.Add((ledger.Now, $"{name(address)} removed"));
                }
                last = now;
                try { await Task.Delay(Interval, _stop.Token); }
                catch (OperationCanceledException) { }
            }
        });
    }

    /// <summary>The changes after <paramref name="since"/>, e.g. "4.3 s broker-2 Up, unreachable; 9.9 s broker-2 Down, unreachable".</summary>
    public string Describe(double since = 0)
    {
        lock (_changes) return string.Join("; ", _changes.Where(c => c.At >= since).Select(c => $"{c.At:0.0} s {c.Change}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
