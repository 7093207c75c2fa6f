using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPubSub.Node.Health;

/// <summary>
/// Makes a broker that has lost its database (and only it) give its topics away. It queries the journal every
/// <see cref="JournalWatchdogSettings.Interval"/>; once the queries have failed for
/// <see cref="JournalWatchdogSettings.LeaveAfter"/> while this node is Up, it asks the watchdogs of the other Up,
/// reachable brokers whether their journal answers. When at least one does, the fault is this broker's path to the
/// database: <c>onOutage</c> is called (the host leaves the cluster through CoordinatedShutdown, so the shards are
/// handed off and the topics start on the healthy brokers, and exits with a distinct code so that it is restarted).
/// When no other broker's journal answers, the database itself is down: leaving would only move the topics to brokers
/// that cannot serve them either, so the watchdog stays, and asks again on its next failed query.
/// </summary>
/// <remarks>
/// The question and the answers are plain strings (Akka.Remote's primitive serializer), so the watchdogs of nodes of
/// different versions understand each other and no type of ours crosses the wire for it.
/// </remarks>
internal sealed class JournalWatchdog : ReceiveActor, IWithTimers
{
    public const string Name = "actorpubsub-journal-watchdog";
    public const string StatusQuestion = "actorpubsub-journal-status?";
    public const string HealthyAnswer = "actorpubsub-journal-ok";
    public const string FailingAnswer = "actorpubsub-journal-failing";

    private readonly JournalWatchdogSettings _settings;
    private readonly Action<string> _onOutage;
    private readonly Func<ActorSystem, TimeSpan, Task<string?>> _probe;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _probing;
    private bool _askingPeers;
    private bool _gone;
    private DateTime? _failingSince;
    private DateTime _lastHealthy = DateTime.MinValue;
    private string? _lastFailure;

    public JournalWatchdog(JournalWatchdogSettings settings, Action<string> onOutage,
        Func<ActorSystem, TimeSpan, Task<string?>>? probe = null)
    {
        (_settings, _onOutage) = (settings, onOutage);
        _probe = probe ?? ((system, timeout) => JournalProbe.FailureAsync(system, timeout));

        Receive<Tick>(_ => Probe());
        Receive<Probed>(OnProbed);
        Receive<PeersAnswered>(OnPeersAnswered);
        Receive<string>(s => s == StatusQuestion, _ => Sender.Tell(IsHealthy ? HealthyAnswer : FailingAnswer));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(JournalWatchdogSettings settings, Action<string> onOutage) =>
        Akka.Actor.Props.Create(() => new JournalWatchdog(settings, onOutage, null));

    /// <summary>Healthy: the last query answered, and recently (a hung query does not count as healthy).</summary>
    private bool IsHealthy => _failingSince is null && DateTime.UtcNow - _lastHealthy < _settings.Interval + _settings.ProbeTimeout + _settings.Interval;

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.Interval);

    private void Probe()
    {
        if (_probing || _gone) return;
        _probing = true;
        var startedAt = DateTime.UtcNow;
        _probe(Context.System, _settings.ProbeTimeout).PipeTo(Self,
            success: failure => new Probed(failure, startedAt),
            failure: e => new Probed($"the journal could not be asked: {e.Message}", startedAt));
    }

    private void OnProbed(Probed probed)
    {
        _probing = false;
        if (probed.Failure is null)
        {
            if (_failingSince is { } since)
                _log.Info("The journal answers again after {0:0.0} s of failed queries", (DateTime.UtcNow - since).TotalSeconds);
            (_failingSince, _lastHealthy, _lastFailure) = (null, DateTime.UtcNow, null);
            return;
        }
        if (_failingSince is null) _log.Warning("The journal query failed: {0}", probed.Failure);
        _failingSince ??= probed.StartedAt;
        _lastFailure = probed.Failure;
        // Only a member that is Up hosts shards; a joining or leaving node has nothing to give away.
        if (_gone || _askingPeers || _cluster.SelfMember.Status != MemberStatus.Up) return;
        if (DateTime.UtcNow - _failingSince.Value < _settings.LeaveAfter) return;
        AskPeers();
    }

    private void AskPeers()
    {
        var state = _cluster.State;
        var peers = state.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(_settings.Role) && m.UniqueAddress != _cluster.SelfUniqueAddress
                        && !state.Unreachable.Contains(m))
            .Select(m => Context.ActorSelection(new RootActorPath(m.Address) / "user" / Name))
            .ToList();
        _askingPeers = true;
        var timeout = _settings.ProbeTimeout;
        Task.WhenAll(peers.Select(async peer =>
        {
            try { return await peer.Ask<string>(StatusQuestion, timeout) == HealthyAnswer; }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return false; }
        })).PipeTo(Self,
            success: answers => new PeersAnswered(answers.Count(ok => ok), answers.Length),
            failure: _ => new PeersAnswered(0, peers.Count));
    }

    private void OnPeersAnswered(PeersAnswered answered)
    {
        _askingPeers = false;
        if (_gone || _failingSince is not { } since) return;
        var seconds = (DateTime.UtcNow - since).TotalSeconds;
        if (answered.Healthy == 0)
        {
            _log.Warning("The journal has failed for {0:0} s, but none of the {1} other Up brokers has a journal that answers "
                         + "either: the database itself is down, so this broker keeps its topics", seconds, answered.Asked);
            return;
        }
        _gone = true;
        Timers.CancelAll();
        _onOutage($"the journal has failed for {seconds:0} s ({_lastFailure}) while {answered.Healthy} of {answered.Asked} other "
                  + "Up brokers reach it: this broker's path to the database is cut");
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Probed(string? Failure, DateTime StartedAt);

    private sealed record PeersAnswered(int Healthy, int Asked);
}
