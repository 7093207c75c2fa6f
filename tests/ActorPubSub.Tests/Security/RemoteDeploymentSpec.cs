using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Security;

/// <summary>
/// No peer creates an actor on a node by remote deployment (Akka.Remote's <c>DaemonMsgCreate</c>, serializer id 3): the
/// node refuses to deserialize it and stays Up, while a process on Akka's defaults does create the actor (so the test
/// can fail). The lighthouse's binding refuses it too.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RemoteDeploymentSpec : NodeSpec
{
    private const string PeerConfig = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.loglevel = WARNING
        """;

    [Fact]
    public async Task A_peers_remote_deployment_should_not_create_an_actor_on_the_node_and_the_node_stays_Up()
    {
        // arrange: the node's log; a peer on Akka's defaults; a control target on Akka's defaults, which accepts deployment
        var logged = new ConcurrentQueue<string>();
        var listener = Node.System.ActorOf(Props.Create(() => new LogCollector(logged)));
        Node.System.EventStream.Subscribe(listener, typeof(Warning));
        using var peer = ActorSystem.Create("peer", ConfigurationFactory.ParseString(PeerConfig));
        using var control = ActorSystem.Create("control", ConfigurationFactory.ParseString(PeerConfig));
        var controlAddress = ((ExtendedActorSystem)control).Provider.DefaultAddress;
        var onControl = Guid.NewGuid().ToString("N");
        var onNode = Guid.NewGuid().ToString("N");

        // act: the same remote deployment to the control and to the node
        peer.ActorOf(Planted.Props(onControl).WithDeploy(new Deploy(new RemoteScope(controlAddress))), "planted");
        await Eventually.HoldsAsync(() => Planted.Created.ContainsKey(onControl), "the control (Akka's defaults) created the deployed actor",
            TimeSpan.FromSeconds(30));
        peer.ActorOf(Planted.Props(onNode).WithDeploy(new Deploy(new RemoteScope(Node.Address))), "planted-on-node");

        // assert: the node refused it (logged by Akka.Remote) and never created the actor
        await Eventually.HoldsAsync(() => logged.Any(l => l.Contains("Refused a remote deployment")),
            "the node refused the remote deployment", TimeSpan.FromSeconds(30));
        Assert.False(Planted.Created.ContainsKey(onNode));

        // assert: the node is Up and serving
        Assert.Equal(MemberStatus.Up, Cluster.Get(Node.System).SelfMember.Status);
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("after-deploy", "s", log.Recording);
        await Node.Client.PublishAsync("after-deploy", "still serving");
        await log.ReceivedAsync(1);
        Assert.False(Planted.Created.ContainsKey(onNode));
        Node.System.EventStream.Unsubscribe(listener);
    }

    [Fact]
    public void The_node_and_the_lighthouse_bindings_should_refuse_DaemonMsgCreate_both_ways()
    {
        using var lighthouse = ActorSystem.Create("lighthouse-like", ConfigurationFactory.ParseString(
            ActorPubSub.Server.Security.RefusedJsonSerializer.Hocon + "\n" + PeerConfig));
        foreach (var system in new[] { Node.System, lighthouse })
        {
            var refused = Assert.Throws<SerializationException>(() => system.Serialization.Deserialize([1, 2, 3], 3, ""));
            Assert.Contains("a peer does not create actors on this node", refused.Message);
        }
    }

    /// <summary>An actor whose creation a test can see, per marker.</summary>
    private sealed class Planted : ReceiveActor
    {
        public static readonly ConcurrentDictionary<string, bool> Created = new();

        public Planted(string marker) => Created[marker] = true;

        public static Props Props(string marker) => Akka.Actor.Props.Create(() => new Planted(marker));
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> logged) =>
            Receive<LogEvent>(e => logged.Enqueue($"{e.Message} {e.Cause}"));
    }
}
