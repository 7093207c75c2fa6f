using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPubSub.Node.Health;

/// <summary>
/// Makes a broker that has lost its database (and only it) give its topics away. It queries the journal every
/// <see cref="JournalWatchdogSettings.Interval"/>; once the queries have failed for
/// <see cref="JournalWatchdogSettings.LeaveAfter"/> while this node is Up, it asks the watchdogs of the other Up,
/// reachable brokers whether their journal answers. When at least one does, the fault is this broker's path to the
/// database: <c>onOutage</c> is called (the host leaves the cluster through CoordinatedShutdown, whose first cluster
/// phase hands the shards off, and exits with a distinct code so that it is restarted), and from then on the watchdog
/// stops this node's topic and dead-letter actors every <see cref="StopInterval"/>: a topic handed off finishes with a
/// last journal write, which cannot succeed here and would hold its shard (and every topic of it) until the journal's
/// call timeout and past CoordinatedShutdown's 10 s for the hand-off. Stopped at once, the shards are handed off in
/// about a second and the coordinator places them on the healthy brokers. Nothing confirmed is lost by it: a publish is
/// confirmed only once written, and what the stopped actors had not written yet is resent by its publisher or delivered
/// again (acks not yet written), as after a crash.
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

    /// <summary>How often the entities are stopped once the node leaves (a message may restart one before its shard is handed off).</summary>
    private static readonly TimeSpan StopInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The node's sharded entities that write to the journal: /system/sharding/{type}/{shard}/{entity}.</summary>
    private static readonly string[] EntityPaths =
        [$"/system/sharding/{Topics.TopicRegion.TypeName}/*/*", $"/system/sharding/{DeadLetters.DeadLetterRegion.TypeName}/*/*"];

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
    private DateTime _askedPeersAt;
    private int? _healthyPeers;   // set: peers reach the journal; leave if a query started after asking fails too
    private int _askedPeers;

    public JournalWatchdog(JournalWatchdogSettings settings, Action<string> onOutage,
        Func<ActorSystem, TimeSpan, Task<string?>>? probe = null)
    {
        (_settings, _onOutage) = (settings, onOutage);
        _probe = probe ?? ((system, timeout) => JournalProbe.FailureAsync(system, timeout));

        Receive<Tick>(_ => OnTick());
        Receive<StopEntities>(_ =>
        {
            foreach (var path in EntityPaths) Context.ActorSelection(path).Tell(PoisonPill.Instance);
        });
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

    private void OnTick()
    {
        // Decided on the tick too, not only on a query's failure: a query to a cut-off database takes the whole probe
        // timeout to fail, and the one in flight says nothing new until then.
        if (_probing) DecideIfDue();
        else Probe();
    }

    private void Probe()
    {
        if (_gone) return;
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
            (_failingSince, _lastHealthy, _lastFailure, _healthyPeers) = (null, DateTime.UtcNow, null, null);
            return;
        }
        // A query started after the peers said their journal answers failed too: it is this broker's path, not a
        // database that is coming back (after an outage of the database itself, the brokers recover one by one).
        // Not a query the circuit breaker refused without trying: after a database restart the peers' breakers may
        // close first while this one still waits out its reset timeout, with the database reachable from here too.
        if (_healthyPeers is { } healthy && probed.StartedAt >= _askedPeersAt && !_gone && probed.Failure != JournalProbe.BreakerOpen)
        {
            _failingSince ??= probed.StartedAt;
            Leave(healthy, _askedPeers, probed.Failure);
            return;
        }
        if (_failingSince is null) _log.Warning("The journal query failed: {0}", probed.Failure);
        _failingSince ??= probed.StartedAt;
        _lastFailure = probed.Failure;
        DecideIfDue();
    }

    private void DecideIfDue()
    {
        // Only a member that is Up hosts shards; a joining or leaving node has nothing to give away.
        if (_gone || _askingPeers || _healthyPeers is not null || _failingSince is not { } since
            || _cluster.SelfMember.Status != MemberStatus.Up) return;
        if (DateTime.UtcNow - since < _settings.LeaveAfter) return;
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
        _askedPeersAt = DateTime.UtcNow;
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
        (_healthyPeers, _askedPeers) = (answered.Healthy, answered.Asked);
    }

    private void Leave(int healthy, int asked, string failure)
    {
        var seconds = (DateTime.UtcNow - (_failingSince ?? DateTime.UtcNow)).TotalSeconds;
        _gone = true;
        Timers.Cancel("tick");
        _onOutage($"the journal has failed for {seconds:0} s ({failure}) while {healthy} of {asked} other "
                  + "Up brokers reach it: this broker's path to the database is cut");
        Self.Tell(StopEntities.Instance);
        Timers.StartPeriodicTimer("stop-entities", StopEntities.Instance, StopInterval);
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class StopEntities
    {
        public static readonly StopEntities Instance = new();
    }

    private sealed record Probed(string? Failure, DateTime StartedAt);

    private sealed record PeersAnswered(int Healthy, int Asked);
}
