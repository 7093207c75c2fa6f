using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPubSub.Fencing;

/// <summary>
/// Keeps this topic node's member lease in the database: renews it every third of its lifetime. When it could not renew
/// it for so long that the lease may have lapsed (its last successful renewal started a lifetime ago, less one renewal
/// interval of margin), another cluster on the same database may take this node's topics over: it stops the node's topic
/// actors then, and again on every failed renewal, until a renewal succeeds. A stopped topic that gets a message starts
/// again and claims its topic anew (<see cref="TopicFencing.ClaimAsync"/>), which refuses it if another holder took over.
/// </summary>
internal sealed class MemberLeaseKeeper : ReceiveActor, IWithTimers
{
    public const string Name = "actorpubsub-member-lease";

    private sealed class Renew { public static readonly Renew Instance = new(); private Renew() { } }
    private sealed record Renewed(long StartedAt, string? Failure);

    private readonly TopicFencing _fencing;
    private readonly string _topicEntities;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _renewing;
    private bool _lapsed;

    public MemberLeaseKeeper(TopicFencing fencing, string topicEntities)
    {
        (_fencing, _topicEntities) = (fencing, topicEntities);
        Receive<Renew>(_ => StartRenewal());
        Receive<Renewed>(OnRenewed);
        Receive<ClusterEvent.MemberRemoved>(removed => _fencing.Removed(removed.Member.UniqueAddress));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="topicEntities">The path of the node's topic actors, e.g. <c>/system/sharding/topic/*/*</c>.</param>
    public static Props Props(TopicFencing fencing, string topicEntities) =>
        Akka.Actor.Props.Create(() => new MemberLeaseKeeper(fencing, topicEntities));

    protected override void PreStart()
    {
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        Self.Tell(Renew.Instance);
        Timers.StartPeriodicTimer(nameof(Renew), Renew.Instance, _fencing.Settings.RenewInterval);
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void StartRenewal()
    {
        if (_renewing) { CheckLapse(); return; }
        _renewing = true;
        var startedAt = Environment.TickCount64;
        _fencing.RenewAsync().PipeTo(Self, success: () => new Renewed(startedAt, null), failure: e => new Renewed(startedAt, e.Message));
    }

    private void OnRenewed(Renewed renewed)
    {
        _renewing = false;
        if (renewed.Failure is null)
        {
            if (_lapsed) _log.Info("Member lease renewed again: this node hosts topics again");
            _lapsed = false;
            _fencing.LeaseRenewed(renewed.StartedAt);
            return;
        }
        _log.Warning("Could not renew this node's member lease: {0}", renewed.Failure);
        CheckLapse();
    }

    private void CheckLapse()
    {
        if (_fencing.LeaseMayHaveLapsed(Environment.TickCount64) is not true) return;
        if (!_lapsed)
            _log.Error("This node's member lease may have lapsed (not renewed for {0}): stopping its topics, which another cluster on " +
                       "the same database may now take over; they start again, and claim their topic anew, once the lease is renewed",
                _fencing.Settings.LeaseTtl);
        _lapsed = true;
        Context.ActorSelection(_topicEntities).Tell(PoisonPill.Instance);
    }
}
