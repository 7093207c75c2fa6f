using System.Collections.Concurrent;
using ActorPubSub.Remoting;
using ActorPubSub.Serialization;
using ActorPubSub.Topics;
using Akka.Actor;
using Akka.Remote;
using Google.Protobuf;
using static ActorPubSub.Tests.Remoting.RemoteSystems;

namespace ActorPubSub.Tests.Remoting;

/// <summary>
/// The transport's direct send between real ActorSystems on loopback: topic-protocol messages told through
/// <see cref="Outbound"/> are written straight into the connection Akka uses, once a fence told Akka's way came through
/// its endpoint writer; in order per sender (also while the route switches, with many senders at once), with their
/// sender, readable by Akka's own reader; a closed connection drops the route and the next one forms; a fence that never
/// comes (nobody listens) sends what waited Akka's way; the setting turns it off.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DirectSendSpec
{
    private const int Count = 2000;

    [Theory]
    [InlineData("")]   // the receiver takes them past Akka's endpoint actors (DirectDispatch)
    [InlineData("actorpubsub.remote.direct-dispatch = off")]   // Akka's own reader decodes every frame
    public async Task Messages_should_be_written_straight_into_the_connection_in_order_with_their_sender(string receiverConfig)
    {
        // arrange
        using var receiver = Start("receiver", receiverConfig);
        using var sender = Start("sender");
        var done = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.ActorOf(Props.Create(() => new Collector(Count, done)), "collect");
        var collect = await Resolve(sender, receiver, "collect");
        var from = sender.ActorOf(Props.Create(() => new Silent()), "from");
        var direct = DirectSend.Of(sender)!;

        // act: the first takes Akka's way with the fence after it; the rest wait for the fence or go straight
        for (var i = 0; i < Count; i++) Outbound.Tell(collect, Ack(i), from);

        // assert: all arrived, in order, from the sender actor; all but the first were written straight, after one fence
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), received.Select(r => ((Ack)r.Item1).Sequences[0]));
        Assert.All(received, r => Assert.Equal(Path(sender, from), r.Item2.Path + "#" + r.Item2.Path.Uid));
        Assert.Equal(Count - 1, direct.Written);
        Assert.Equal(1, direct.FencesTaken);
        Assert.NotNull(direct.RouteTo(AddressOf(receiver))!.Connection);
        Assert.False(direct.Fencing);
    }

    [Fact]
    public async Task Many_senders_at_once_should_each_keep_their_order_while_the_route_switches()
    {
        // arrange
        const int senders = 4;
        using var receiver = Start("receiver");
        using var sender = Start("sender");
        var done = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.ActorOf(Props.Create(() => new Collector(senders * Count, done)), "collect");
        var collect = await Resolve(sender, receiver, "collect");
        var froms = Enumerable.Range(0, senders).Select(s => sender.ActorOf(Props.Create(() => new Silent()), "from-" + s)).ToArray();
        using var go = new Barrier(senders);

        // act: every sender starts at once, so tells race the fence and the switch
        await Task.WhenAll(froms.Select(from => Task.Run(() =>
        {
            go.SignalAndWait();
            for (var i = 0; i < Count; i++) Outbound.Tell(collect, Ack(i), from);
        })));

        // assert: each sender's messages arrived complete and in its order
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var from in froms)
        {
            var own = received.Where(r => r.Item2.Path.Name == from.Path.Name).Select(r => ((Ack)r.Item1).Sequences[0]);
            Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), own);
        }
        Assert.True(DirectSend.Of(sender)!.Written > 0, "no message was written straight");
    }

    [Fact]
    public async Task A_closed_connection_should_drop_the_route_and_the_next_messages_should_form_a_new_one()
    {
        // arrange: a route on a connection; a short gate, so Akka associates again soon after the loss
        using var receiver = Start("receiver");
        using var sender = Start("sender", "akka.remote.retry-gate-closed-for = 200ms");
        var first = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = receiver.ActorOf(Props.Create(() => new Collector(2, first)), "collect");
        var collect = await Resolve(sender, receiver, "collect");
        var direct = DirectSend.Of(sender)!;
        Outbound.Tell(collect, Ack(0), ActorRefs.NoSender);
        Outbound.Tell(collect, Ack(1), ActorRefs.NoSender);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var route = direct.RouteTo(AddressOf(receiver))!;
        var connection = route.Connection!;

        // act: the connection goes; then tell until a message arrives again (Akka drops what it sends while gated)
        connection.Close();
        var again = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        collector.Tell(new Collector.Expect(1, again));
        Assert.Null(direct.RouteTo(AddressOf(receiver)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!again.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            Outbound.Tell(collect, Ack(2), ActorRefs.NoSender);
            await Task.WhenAny(again.Task, Task.Delay(100));
        }
        await again.Task.WaitAsync(TimeSpan.FromSeconds(1));
        var ordered = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        collector.Tell(new Collector.Expect(Count, ordered, Skip: a => a.Sequences[0] == 2));
        for (var i = 0; i < Count; i++) Outbound.Tell(collect, Ack(10 + i), ActorRefs.NoSender);

        // assert: the messages after the loss arrived in order, through a new route on a new connection
        var received = await ordered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(10, Count).Select(i => (long)i), received.Select(r => ((Ack)r.Item1).Sequences[0]));
        var next = direct.RouteTo(AddressOf(receiver));
        Assert.NotNull(next);
        Assert.NotSame(route, next);
        Assert.NotNull(next.Connection);
        Assert.NotSame(connection, next.Connection);
    }

    [Fact]
    public async Task A_fence_that_never_comes_should_send_what_waited_Akkas_way_and_drop_the_route()
    {
        // arrange: an address nobody listens on, so Akka never writes the fence
        using var sender = Start("sender", "actorpubsub.remote.direct-send-fence-timeout = 300ms");
        var nobody = Unreachable(sender);
        var direct = DirectSend.Of(sender)!;

        // act
        for (var i = 0; i < 3; i++) Outbound.Tell(nobody, Ack(i), ActorRefs.NoSender);
        var route = direct.RouteTo(nobody.Path.Address)!;
        var heldBefore = route.Held;

        // assert: two waited behind the fence; after the timeout they went Akka's way and the route is gone
        Assert.Equal(2, heldBefore);
        Assert.True(direct.Fencing);
        await Until(() => direct.RouteTo(nobody.Path.Address) is null, TimeSpan.FromSeconds(10));
        Assert.Equal(0, route.Held);
        Assert.False(direct.Fencing);
        Assert.Equal(0, direct.Written);
    }

    [Fact]
    public void More_than_the_held_budget_should_go_Akkas_way_with_a_new_fence_after_them()
    {
        // arrange
        using var sender = Start("sender", "actorpubsub.remote.direct-send-max-held = 3");
        var nobody = Unreachable(sender);
        var direct = DirectSend.Of(sender)!;

        // act: 1 told with the fence, 3 held, the 5th finds the budget spent
        for (var i = 0; i < 4; i++) Outbound.Tell(nobody, Ack(i), ActorRefs.NoSender);
        var route = direct.RouteTo(nobody.Path.Address)!;
        var full = (route.Held, route.FenceOut);
        Outbound.Tell(nobody, Ack(4), ActorRefs.NoSender);
        var after = (route.Held, route.FenceOut);
        Outbound.Tell(nobody, Ack(5), ActorRefs.NoSender);

        // assert: the held ones and the 5th went Akka's way behind a new fence; the 6th waits for that one
        Assert.Equal(3, full.Held);
        Assert.Equal(0, after.Held);
        Assert.NotEqual(full.FenceOut, after.FenceOut);
        Assert.NotEqual(0, after.FenceOut);
        Assert.Equal(1, route.Held);
    }

    [Fact]
    public void The_transport_should_take_a_fence_out_of_Akkas_frames_and_send_the_acknowledgement_it_carried()
    {
        // arrange: a route whose fence is out (nobody listens)
        using var sender = Start("sender");
        var nobody = Unreachable(sender);
        var direct = DirectSend.Of(sender)!;
        Outbound.Tell(nobody, Ack(0), ActorRefs.NoSender);
        var route = direct.RouteTo(nobody.Path.Address)!;
        var serializer = (PubSubSerializer)((ExtendedActorSystem)sender).Serialization.FindSerializerFor(new DirectSendFence(1));
        var ack = new byte[] { 0x09, 1, 0, 0, 0, 0, 0, 0, 0 };   // AcknowledgementInfo { cumulativeAck = 1 }
        byte[] Frame(object message, byte[]? withAck) => WithAck(AkkaPdu.Message("akka.tcp://nobody@127.0.0.1:1/user/x"u8,
            [], serializer.ToWire(message, out var manifest), PubSubSerializer.SerializerId, System.Text.Encoding.UTF8.GetBytes(manifest)), withAck);

        // act
        var other = direct.TryTakeFence(null!, Frame(Ack(1), ack), out var otherAck);
        var stale = direct.TryTakeFence(null!, Frame(new DirectSendFence(route.FenceOut + 1000), null), out var staleAck);
        var taken = direct.TryTakeFence(null!, Frame(new DirectSendFence(route.FenceOut), ack), out var ackOnly);

        // assert: another message stays; a fence (even one no route waits for) is taken, with the ack it carried
        Assert.False(other);
        Assert.Null(otherAck);
        Assert.True(stale);
        Assert.Null(staleAck);
        Assert.True(taken);
        Assert.Equal(AkkaPdu.AckOnly(ack).ToByteArray(), ackOnly!.ToByteArray());
        Assert.Equal(0, route.FenceOut);
        Assert.False(direct.Fencing);
    }

    [Fact]
    public async Task Messages_of_other_serializers_should_take_Akkas_way_beside_a_direct_route()
    {
        // arrange: a route that writes straight (two topic-protocol messages told first)
        using var receiver = Start("receiver");
        using var sender = Start("sender");
        var done = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.ActorOf(Props.Create(() => new Collector(4, done)), "collect");
        var collect = await Resolve(sender, receiver, "collect");
        var direct = DirectSend.Of(sender)!;
        Outbound.Tell(collect, Ack(0), ActorRefs.NoSender);
        Outbound.Tell(collect, Ack(1), ActorRefs.NoSender);
        await Until(() => direct.RouteTo(AddressOf(receiver))?.Connection is not null, TimeSpan.FromSeconds(30));

        // act: a byte array and a status reply, which other serializers write
        Outbound.Tell(collect, new byte[] { 1, 2, 3 }, ActorRefs.NoSender);
        Outbound.Tell(collect, new Status.Success("done"), ActorRefs.NoSender);

        // assert: both arrived, through Akka's writer; only the second topic-protocol message was written straight
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new byte[] { 1, 2, 3 }, received.Select(r => r.Item1).OfType<byte[]>().Single());
        Assert.Equal("done", received.Select(r => r.Item1).OfType<Status.Success>().Single().Status);
        Assert.Equal(1, direct.Written);
    }

    [Fact]
    public async Task With_the_setting_off_messages_should_take_Akkas_way()
    {
        // arrange
        using var receiver = Start("receiver");
        using var sender = Start("sender", "actorpubsub.remote.direct-send = off");
        var done = new TaskCompletionSource<List<(object, IActorRef)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.ActorOf(Props.Create(() => new Collector(Count, done)), "collect");
        var collect = await Resolve(sender, receiver, "collect");

        // act
        for (var i = 0; i < Count; i++) Outbound.Tell(collect, Ack(i), ActorRefs.NoSender);

        // assert
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), received.Select(r => ((Ack)r.Item1).Sequences[0]));
        Assert.Null(DirectSend.Of(sender));
    }

    private static Ack Ack(long i) => new("orders", "billing", [i]);

    /// <summary>A remote reference to an address on a free loopback port that nothing listens on.</summary>
    private static RemoteActorRef Unreachable(ActorSystem system)
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return (RemoteActorRef)((ExtendedActorSystem)system).Provider.ResolveActorRef($"akka.tcp://nobody@127.0.0.1:{port}/user/x");
    }

    /// <summary>The PDU with <paramref name="ack"/> put in its container, as Akka's writer piggybacks the latest acknowledgement.</summary>
    private static byte[] WithAck(byte[] pdu, byte[]? ack)
    {
        if (ack is null) return pdu;
        var container = new CodedInputStream(pdu);
        container.ReadTag();
        var inner = container.ReadBytes().ToByteArray();   // the container: the envelope's field alone
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteLength(1 + CodedOutputStream.ComputeLengthSize(ack.Length) + ack.Length + inner.Length);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(ack));
        output.Flush();
        buffer.Write(inner);
        return buffer.ToArray();
    }

    private static async Task Until(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    /// <summary>Collects topic-protocol messages with their senders until it has the number expected; told a new expectation, starts again.</summary>
    private sealed class Collector : ReceiveActor
    {
        public sealed record Expect(int Count, TaskCompletionSource<List<(object, IActorRef)>> Done, Func<Ack, bool>? Skip = null);

        public Collector(int expected, TaskCompletionSource<List<(object, IActorRef)>> done)
        {
            var current = new Expect(expected, done);
            var received = new List<(object, IActorRef)>();
            Receive<Expect>(e =>
            {
                current = e;
                received = [];
            });
            ReceiveAny(message =>
            {
                if (message is Ack ack && current.Skip?.Invoke(ack) == true) return;
                received.Add((message, Sender));
                if (received.Count == current.Count) current.Done.TrySetResult(received);
            });
        }
    }
}
