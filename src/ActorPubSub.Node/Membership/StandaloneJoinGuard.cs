using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorPubSub.Node.Membership;

/// <summary>
/// Runs on a standalone node on SQLite (no <c>Node:AllowSqliteInCluster</c>): a broker that joins it would host topics on
/// a file of its own, and a topic moved to it would find an empty journal. So a member with the broker role that joins is
/// told why (<see cref="JoinRefusal"/>, which makes an ActorPubSub node stop with one line and exit code 2) and downed.
/// Members without the role (clients of the node's cluster) are welcome.
/// </summary>
internal sealed class StandaloneJoinGuard : ReceiveActor
{
    public const string Name = "actorpubsub-standalone-join-guard";

    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<UniqueAddress> _refused = [];

    public StandaloneJoinGuard(string role, string storage)
    {
        // MemberJoined comes before the leader makes the joiner Up (and the coordinator could give it shards)
        Receive<ClusterEvent.IMemberEvent>(e => e.Member.UniqueAddress != _cluster.SelfUniqueAddress && e.Member.HasRole(role)
                                               && e.Member.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up
                                               && _refused.Add(e.Member.UniqueAddress),
            e => Refuse(e.Member, storage));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static Props Props(string role, string storage) => Akka.Actor.Props.Create(() => new StandaloneJoinGuard(role, storage));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Refuse(Member member, string storage)
    {
        var why = $"{_cluster.SelfAddress} is a standalone node on {storage} (Node:AllowSqliteInCluster is not set): a broker that "
                  + "joins it would keep topics in a store of its own. Join a cluster of brokers on PostgreSQL, or run this broker standalone";
        _log.Warning("Downing {0}, a broker that joined this standalone node: {1}", member.Address, why);
        // Told first: the downing gossip follows on the same connection, and the joiner then knows why it was removed.
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / JoinRefusal.Name).Tell(JoinRefusal.Prefix + why);
        _cluster.Down(member.Address);
    }
}
