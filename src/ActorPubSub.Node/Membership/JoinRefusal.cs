using Akka.Actor;
using Akka.Cluster;

namespace ActorPubSub.Node.Membership;

/// <summary>
/// The joiner's side of <see cref="StandaloneJoinGuard"/>: a member of this node's cluster says it refuses this broker
/// (a standalone node on SQLite); <c>onRefused</c> stops the node with that reason. A plain string (Akka.Remote's
/// primitive serializer), so no type of ours crosses the wire; taken only from a seed node or a member of this node's
/// cluster (the joiner's view of the members may not have the seed yet when the refusal arrives).
/// </summary>
internal sealed class JoinRefusal : ReceiveActor
{
    public const string Name = "actorpubsub-join-refusal";
    public const string Prefix = "actorpubsub-join-refused: ";

    private bool _refused;

    public JoinRefusal(IReadOnlyCollection<Address> seeds, Action<string> onRefused)
    {
        var cluster = Cluster.Get(Context.System);
        Receive<string>(s => s.StartsWith(Prefix, StringComparison.Ordinal) && !_refused
                             && (seeds.Contains(Sender.Path.Address) || cluster.State.Members.Any(m => m.Address == Sender.Path.Address)), s =>
        {
            _refused = true;
            onRefused(s[Prefix.Length..]);
        });
    }

    public static Props Props(IReadOnlyCollection<Address> seeds, Action<string> onRefused) =>
        Akka.Actor.Props.Create(() => new JoinRefusal(seeds, onRefused));
}
