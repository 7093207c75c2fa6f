using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ActorPubSub.Remoting;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;

namespace ActorPubSub.Tests.Remoting;

/// <summary>
/// ActorPubSub's Akka.Remote transport between real ActorSystems on loopback: messages arrive whole and in order both
/// ways, also frames larger than its read buffer; it talks to Akka's own DotNetty transport in either direction and in
/// either byte order; a peer's overlong frame closes only that connection; its port is exclusive.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SocketTransportSpec
{
    private const string Sockets = SocketTransport.ClassName;
    private const string DotNetty = SocketTransport.AkkaClassName;
    private const int FrameLimit = 1_000_000;

    public static TheoryData<string, string, string> Pairs => new()
    {
        { Sockets, Sockets, "little-endian" },
        { Sockets, DotNetty, "little-endian" },
        { DotNetty, Sockets, "little-endian" },
        { Sockets, Sockets, "big-endian" },
        { Sockets, DotNetty, "big-endian" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Messages_should_arrive_whole_and_in_order_both_ways(string senderTransport, string receiverTransport, string byteOrder)
    {
        // arrange: an echo actor on the receiver; the sender collects what comes back
        using var receiver = Start("receiver", receiverTransport, byteOrder: byteOrder);
        using var sender = Start("sender", senderTransport, byteOrder: byteOrder);
        receiver.ActorOf(Props.Create(() => new Echo()), "echo");
        var echo = await Resolve(sender, receiver, "echo");
        // Small messages, and every 100th one larger than the transport's 64 KiB read buffer (and its 16 KiB own-array threshold).
        var sent = Enumerable.Range(0, 2000).Select(i => Message(i, i % 100 == 7 ? 300_000 : i % 50 == 3 ? 20_000 : 200)).ToArray();
        var collector = new TaskCompletionSource<List<byte[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collect = sender.ActorOf(Props.Create(() => new Collector(sent.Length, collector)));

        // act
        foreach (var message in sent) echo.Tell(message, collect);

        // assert: every message came back, whole, in the order sent
        var received = await collector.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(sent.Length, received.Count);
        for (var i = 0; i < sent.Length; i++) Assert.True(sent[i].AsSpan().SequenceEqual(received[i]), $"message {i} differs");
    }

    [Fact]
    public async Task A_frame_longer_than_maximum_frame_size_should_close_that_connection_and_the_transport_keeps_serving()
    {
        // arrange
        using var receiver = Start("receiver", Sockets);
        using var sender = Start("sender", Sockets);
        receiver.ActorOf(Props.Create(() => new Echo()), "echo");
        var port = Address(receiver).Port!.Value;
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

        // act: a header announcing one byte more than the limit
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, FrameLimit + 1);
        await raw.SendAsync(header, SocketFlags.None);

        // assert: the transport closed that connection (end of stream or reset)
        var closed = await ReadsToEndAsync(raw).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(closed);
        // assert: the receiver still serves another peer
        var echo = await Resolve(sender, receiver, "echo");
        var reply = await echo.Ask<byte[]>(Message(1, 100), TimeSpan.FromSeconds(30));
        Assert.Equal(Message(1, 100), reply);
    }

    [Fact]
    public void A_second_system_on_a_port_in_use_should_fail_to_start_instead_of_sharing_it()
    {
        // arrange
        using var first = Start("first", Sockets);
        var port = Address(first).Port!.Value;

        // act
        var error = Record.Exception(() => Start("second", Sockets, port));

        // assert: the bind failed (Akka.Remote reports the transport's error), and the first system still owns the port
        Assert.NotNull(error);
        Assert.Contains("Failed to bind", Flatten(error));
        Assert.Equal(port, Address(first).Port);
    }

    [Theory]
    [InlineData("byte-order = middle-endian", "byte-order")]
    [InlineData("maximum-frame-size = 1000b", "maximum-frame-size")]
    [InlineData("transport-protocol = udp", "transport-protocol")]
    public void Settings_should_refuse_values_the_transport_cannot_run_naming_the_key(string setting, string key)
    {
        // arrange
        var section = ConfigurationFactory.ParseString(setting);

        // act
        var error = Assert.Throws<ConfigurationException>(() => SocketTransportSettings.Create(section, Config.Empty));

        // assert
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Settings_should_read_Akkas_keys_and_defaults()
    {
        // arrange
        var section = ConfigurationFactory.ParseString("""
            hostname = "127.0.0.2", public-hostname = "node-a", port = 4711, public-port = 80
            maximum-frame-size = 256000b, connection-timeout = 3s, byte-order = big-endian
            """);

        // act
        var settings = SocketTransportSettings.Create(section, ConfigurationFactory.ParseString("akka.remote.flush-wait-on-shutdown = 1s"));
        var defaults = SocketTransportSettings.Create(ConfigurationFactory.ParseString("port = 0"), Config.Empty);

        // assert
        Assert.Equal(("127.0.0.2", "node-a", 4711, (int?)80), (settings.Hostname, settings.PublicHostname, settings.Port, settings.PublicPort));
        Assert.Equal((256000, TimeSpan.FromSeconds(3), false, TimeSpan.FromSeconds(1)),
            (settings.MaxFrameSize, settings.ConnectTimeout, settings.LittleEndian, settings.FlushWaitOnShutdown));
        Assert.Equal(("0.0.0.0", 128000, true, TimeSpan.FromSeconds(2)),
            (defaults.Hostname, defaults.MaxFrameSize, defaults.LittleEndian, defaults.FlushWaitOnShutdown));
    }

    private static ActorSystem Start(string name, string transport, int port = 0, string byteOrder = "little-endian") =>
        ActorSystem.Create(name, ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp {
              hostname = "127.0.0.1"
              port = {{port}}
              transport-class = "{{transport}}"
              byte-order = {{byteOrder}}
              maximum-frame-size = {{FrameLimit}}b
            }
            """));

    private static Address Address(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    private static async Task<IActorRef> Resolve(ActorSystem from, ActorSystem to, string name) =>
        await from.ActorSelection(new RootActorPath(Address(to)) / "user" / name).ResolveOne(TimeSpan.FromSeconds(30));

    /// <summary>A message that carries its index, so a reordering or a mixed-up frame shows.</summary>
    private static byte[] Message(int index, int size)
    {
        var bytes = new byte[size];
        new Random(index).NextBytes(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
        return bytes;
    }

    private static async Task<bool> ReadsToEndAsync(Socket socket)
    {
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0) { }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private static string Flatten(Exception error)
    {
        var text = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) text.Add(e.Message);
        if (error is AggregateException aggregate) text.AddRange(aggregate.InnerExceptions.Select(Flatten));
        return string.Join(" | ", text);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<byte[]>(message => Sender.Tell(message));
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(int expected, TaskCompletionSource<List<byte[]>> done)
        {
            var received = new List<byte[]>(expected);
            Receive<byte[]>(message =>
            {
                received.Add(message);
                if (received.Count == expected) done.TrySetResult(received);
            });
        }
    }
}
