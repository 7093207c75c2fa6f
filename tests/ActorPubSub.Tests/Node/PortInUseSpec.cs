using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Remote.Hosting;
using ActorPubSub.Hosting;
using ActorPubSub.Server.Startup;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// A port in use stops the broker node and the lighthouse with one line on stderr and exit code 2, for remoting and the
/// web server alike, and never lets two programs share a port. The holder of the port binds with reuse-address, which
/// .NET turns into <c>SO_REUSEPORT</c> on Linux: what Akka.Remote did by default, and why a second node used to start.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PortInUseSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);
    private readonly List<TempDatabase> _databases = [];

    [Fact]
    public async Task Second_node_on_the_remoting_port_of_a_running_node_should_exit_2_with_one_line()
    {
        // Reproduction for issue 13 item 6: the second node logged "listening" and shared the port with the first.
        // arrange
        var port = ServiceProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
        await using var first = StartNode(new Dictionary<string, string> { ["Port"] = port });
        await first.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);

        // act
        await using var second = StartNode(new Dictionary<string, string> { ["Port"] = port });
        var exitCode = await second.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{second.Transcript}");
        var error = Assert.Single(second.StandardError);
        Assert.Equal($"ActorPubSub.Node: the remoting port 127.0.0.1:{port} is in use by another program (another node or lighthouse?); "
                     + "stop it or choose another port with Node:Port (ACTORPUBSUB_Node__Port or CLUSTER_PORT)", error);
        Assert.DoesNotContain("listening", second.Transcript, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    public async Task Node_killed_with_connections_open_should_bind_its_port_again_at_once()
    {
        // arrange: a client member keeps connections to the node's port, so they linger in TIME_WAIT after the kill
        var port = ServiceProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
        var db = NewDatabase();
        var settings = new Dictionary<string, string> { ["Port"] = port };
        string address;
        await using (var first = StartNode(settings, db))
        {
            address = await first.AddressAsync("ActorPubSub node is Up", StartDeadline);
            await using var client = await PubSubNode.StartAsync(
                new PubSubOptions { StandaloneCluster = false, HostTopics = false, Role = "actorpubsub", SqliteFile = NewDatabase().File },
                akka => akka.WithRemoting("127.0.0.1", 0).WithClustering(new ClusterOptions { SeedNodes = [address] }),
                systemName: "actorpubsub");
            await client.Client.PublishAsync("restart-orders", "before");

            // act: kill -9, then start again on the same port (exclusive binding must not refuse a restart)
            first.Signal(ServiceProcess.SigKill);
            await first.WaitForExitAsync(ExitDeadline);
        }
        await using var second = StartNode(settings, db);
        var again = await second.AddressAsync("ActorPubSub node is Up", StartDeadline);

        // assert
        Assert.Equal(address, again);
        Assert.Empty(second.StandardError);
    }

    [Theory]
    [InlineData("node", "Port", "remoting", "Node:Port (ACTORPUBSUB_Node__Port or CLUSTER_PORT)")]
    [InlineData("node", "HttpAddress", "web server", "Node:HttpAddress (ACTORPUBSUB_Node__HttpAddress)")]
    [InlineData("lighthouse", "CLUSTER_PORT", "remoting", "Lighthouse:Port (ACTORPUBSUB_Lighthouse__Port or CLUSTER_PORT)")]
    [InlineData("lighthouse", "HttpAddress", "web server", "Lighthouse:HttpAddress (ACTORPUBSUB_Lighthouse__HttpAddress)")]
    public async Task Program_should_exit_2_with_one_line_when_a_port_it_binds_is_held_with_reuse_port(string program, string setting,
        string what, string named)
    {
        // arrange: a listener that shares its port with anyone asking for reuse, as Akka.Remote used to bind
        using var holder = HoldWithReusePort(out var port);
        var value = setting == "HttpAddress" ? $"127.0.0.1:{port}" : port.ToString(CultureInfo.InvariantCulture);

        // act
        await using var process = program == "node"
            ? StartNode(new Dictionary<string, string> { [setting] = value })
            : ServiceProcess.StartLighthouse(new Dictionary<string, string>
            {
                ["CLUSTER_IP"] = "127.0.0.1",
                ["CLUSTER_PORT"] = "0",
                ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
                [setting == "HttpAddress" ? "ACTORPUBSUB_Lighthouse__HttpAddress" : setting] = value,
            }, Path.GetDirectoryName(NewDatabase().File)!);
        var exitCode = await process.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{process.Transcript}");
        var error = Assert.Single(process.StandardError);
        Assert.Contains($"the {what} port 127.0.0.1:{port} is in use by another program", error, StringComparison.Ordinal);
        Assert.EndsWith($"choose another port with {named}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remoting_should_bind_its_port_exclusively_with_the_programs_setting()
    {
        // arrange: Akka.Remote's default (tcp-reuse-addr = off-for-windows, i.e. on here) shares a port held with reuse
        using var holder = HoldWithReusePort(out var port);
        var remoting = $"akka.remote.dot-netty.tcp {{ hostname = 127.0.0.1, port = {port} }}\nakka.actor.provider = remote\nakka.loglevel = OFF";
        var shared = ActorSystem.Create("shared", ConfigurationFactory.ParseString(remoting));

        // act
        var exclusive = Record.Exception(() =>
            ActorSystem.Create("exclusive", ConfigurationFactory.ParseString(PortCheck.ExclusiveRemotingHocon + "\n" + remoting)));

        // assert
        await shared.Terminate();
        Assert.NotNull(exclusive);
        Assert.True(PortCheck.IsAddressInUse(exclusive), exclusive.ToString());
    }

    public void Dispose()
    {
        foreach (var db in _databases) db.Dispose();
    }

    private static Socket HoldWithReusePort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    private NodeProcess StartNode(IReadOnlyDictionary<string, string> settings, TempDatabase? database = null)
    {
        var db = database ?? NewDatabase();
        var all = new Dictionary<string, string> { ["HttpAddress"] = "127.0.0.1:0", ["SqliteFile"] = db.File };
        foreach (var (key, value) in settings) all[key] = value;
        return NodeProcess.Start(all, Path.GetDirectoryName(db.File)!);
    }

    private TempDatabase NewDatabase()
    {
        var db = new TempDatabase();
        _databases.Add(db);
        return db;
    }
}
