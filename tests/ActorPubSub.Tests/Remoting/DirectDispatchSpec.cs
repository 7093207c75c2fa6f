using System.Collections.Immutable;
using ActorPubSub.Remoting;
using ActorPubSub.Serialization;
using ActorPubSub.Topics;
using Akka.Actor;
using Akka.Remote;
using Google.Protobuf;
using static ActorPubSub.Tests.Remoting.RemoteSystems;

namespace ActorPubSub.Tests.Remoting;

/// <summary>
/// The transport's direct dispatch between real ActorSystems on loopback: topic-protocol messages skip Akka.Remote's
/// endpoint actors both ways, in order and with their sender; every other message and Akka's system messages (a remote
/// watch) take Akka's way beside them; the setting turns it off. And frame by frame, on Akka's wire format written here
/// from Akka's .proto definitions: what it takes, what it leaves to Akka, the acknowledgement it passes on, and the
/// unreadable message it drops while the connection stays.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DirectDispatchSpec
{
    private const int Count = 2000;

    [Fact]
    public async Task Topic_protocol_messages_should_skip_Akkas_endpoint_actors_both_ways_in_order_with_their_sender()
    {
        // arrange: an echo on the receiver, a collector on the sender that gets the echoes
        using var receiver = Start("receiver");
        using var sender = Start("sender");
        receiver.ActorOf(Props.Create(() => new Echo()), "echo");
        var echo = await Resolve(sender, receiver, "echo");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collect = sender.ActorOf(Props.Create(() => new Collector(Count, done, new List<IActorRef>(), null, null)), "collect");
        var before = (Dispatched(receiver), Dispatched(sender));

        // act
        for (var i = 0; i < Count; i++) echo.Tell(Ack(i), collect);

        // assert: every echo came back in order, so the echo saw the collector as sender; both sides took them directly
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), received.Cast<Ack>().Select(a => a.Sequences[0]));
        Assert.Equal(Count, Dispatched(receiver) - before.Item1);
        Assert.Equal(Count, Dispatched(sender) - before.Item2);
    }

    [Fact]
    public async Task Other_messages_and_Akkas_system_messages_should_take_Akkas_way_beside_them()
    {
        // arrange: the sender watches the echo (Akka's system messages, acknowledged on the way back)
        using var receiver = Start("receiver");
        using var sender = Start("sender");
        var echoLocal = receiver.ActorOf(Props.Create(() => new Echo()), "echo");
        var echo = await Resolve(sender, receiver, "echo");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var terminated = new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collect = sender.ActorOf(Props.Create(() => new Collector(Count, done, new List<IActorRef>(), echo, terminated)), "collect");
        var before = Dispatched(receiver);

        // act: topic-protocol messages and byte arrays alternate
        for (var i = 0; i < Count; i++) echo.Tell(i % 2 == 0 ? Ack(i) : BitConverter.GetBytes(i), collect);
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        echoLocal.Tell(PoisonPill.Instance);

        // assert: all came back; only the topic-protocol half went directly; the watch still told the end
        Assert.Equal(Count, received.Count);
        Assert.Equal(Count / 2, received.OfType<Ack>().Count());
        Assert.Equal(Count / 2, Dispatched(receiver) - before);
        Assert.Equal(echo.Path, (await terminated.Task.WaitAsync(TimeSpan.FromSeconds(30))).Path);
    }

    [Fact]
    public async Task With_the_setting_off_every_frame_should_take_Akkas_way()
    {
        // arrange
        using var receiver = Start("receiver", "actorpubsub.remote.direct-dispatch = off");
        using var sender = Start("sender", "actorpubsub.remote.direct-dispatch = off");
        receiver.ActorOf(Props.Create(() => new Echo()), "echo");
        var echo = await Resolve(sender, receiver, "echo");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collect = sender.ActorOf(Props.Create(() => new Collector(100, done, new List<IActorRef>(), null, null)));

        // act
        for (var i = 0; i < 100; i++) echo.Tell(Ack(i), collect);

        // assert
        Assert.Equal(100, (await done.Task.WaitAsync(TimeSpan.FromSeconds(60))).Count);
        Assert.Null(DirectDispatch.Of(receiver));
        Assert.Null(DirectDispatch.Of(sender));
    }

    [Theory]
    [InlineData(41ul, true)]
    [InlineData(0ul, false)]   // the ack of Akka's first system message (sequence number 0): an empty AcknowledgementInfo
    public async Task A_frame_it_takes_should_reach_the_recipient_with_the_sender_and_pass_the_acknowledgement_on(ulong cumulative, bool nacks)
    {
        // arrange
        using var system = Start("system");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var senders = new List<IActorRef>();
        var target = system.ActorOf(Props.Create(() => new Collector(1, done, senders, null, null)), "target");
        var ack = new AckBuilder { CumulativeAck = cumulative, Nacks = nacks ? [38, 39] : [] }.Bytes();
        var frame = Frame(system, Path(system, target), Ack(7), sender: "akka.tcp://other@127.0.0.1:1/user/publisher", ack: ack);

        // act
        var taken = DirectDispatch.Of(system)!.TryDispatch(frame, out var ackOnly);

        // assert: told with its sender; the acknowledgement alone goes to Akka, byte for byte
        Assert.True(taken);
        Assert.Equal(7, ((Ack)(await done.Task.WaitAsync(TimeSpan.FromSeconds(10)))[0]).Sequences[0]);
        Assert.Equal("akka.tcp://other@127.0.0.1:1/user/publisher", senders.Single().Path.ToString());
        Assert.NotNull(ackOnly);
        var pdu = Fields(ackOnly.ToByteArray());
        var container = Fields(Assert.Single(pdu).Value);
        Assert.Equal(1, Assert.Single(container).Key);
        Assert.Equal(ack, container[0].Value);
    }

    [Fact]
    public async Task A_frame_without_a_sender_should_be_told_from_dead_letters_as_Akka_tells_it()
    {
        // arrange
        using var system = Start("system");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var senders = new List<IActorRef>();
        var target = system.ActorOf(Props.Create(() => new Collector(1, done, senders, null, null)), "target");

        // act
        var taken = DirectDispatch.Of(system)!.TryDispatch(Frame(system, Path(system, target), Ack(1)), out var ackOnly);

        // assert
        Assert.True(taken);
        Assert.Null(ackOnly);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(system.DeadLetters, senders.Single());
    }

    public static TheoryData<string> FramesLeftToAkka => new()
    {
        "sequence number",          // one of Akka's system messages: its reliable delivery
        "sequence number zero",     // an absent field is 0, which is a sequence number
        "other serializer",
        "unknown manifest",         // Akka's dispatcher refuses it and says so
        "instruction",              // a handshake, heartbeat or disassociation
        "unknown recipient",
        "truncated",
        "no envelope",
    };

    [Theory]
    [MemberData(nameof(FramesLeftToAkka))]
    public async Task A_frame_it_does_not_take_should_be_left_to_Akka_untouched(string kind)
    {
        // arrange
        using var system = Start("system");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = system.ActorOf(Props.Create(() => new Collector(1, done, new List<IActorRef>(), null, null)), "target");
        var path = Path(system, target);
        var frame = kind switch
        {
            "sequence number" => Frame(system, path, Ack(1), seq: 5),
            "sequence number zero" => Frame(system, path, Ack(1), seq: 0),
            "other serializer" => Frame(system, path, Ack(1), serializer: 4),
            "unknown manifest" => Frame(system, path, Ack(1), manifest: "zz"),
            "instruction" => Instruction(),
            "unknown recipient" => Frame(system, path.Replace("/user/target", "/user/nobody"), Ack(1)),
            "truncated" => Frame(system, path, Ack(1))[..^3],
            "no envelope" => Pdu(new AckBuilder { CumulativeAck = 1 }.Container()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        // act
        var taken = DirectDispatch.Of(system)!.TryDispatch(frame, out var ackOnly);

        // assert: not taken, nothing told, no acknowledgement split off
        Assert.False(taken);
        Assert.Null(ackOnly);
        await Task.Delay(200);   // a wrong dispatch would be in the mailbox by now; the actor must stay empty
        Assert.False(done.Task.IsCompleted);
    }

    [Fact]
    public async Task An_unreadable_topic_protocol_message_should_be_dropped_and_the_next_one_told()
    {
        // arrange
        using var system = Start("system");
        var done = new TaskCompletionSource<List<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = system.ActorOf(Props.Create(() => new Collector(1, done, new List<IActorRef>(), null, null)), "target");
        var path = Path(system, target);
        var dispatch = DirectDispatch.Of(system)!;

        // act: bytes that are no Ack under Ack's manifest, then a good one
        var garbage = dispatch.TryDispatch(Frame(system, path, Ack(2), bytes: [0xFF, 0xFF, 0xFF]), out _);
        var good = dispatch.TryDispatch(Frame(system, path, Ack(3)), out _);

        // assert: the first is consumed (Akka's dispatcher would drop it too) and only the good one arrives
        Assert.Equal((true, true), (garbage, good));
        var received = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, ((Ack)received.Single()).Sequences[0]);
    }

    private static Ack Ack(long i) => new("orders", "billing", [i]);

    private static long Dispatched(ActorSystem system) => DirectDispatch.Of(system)!.Dispatched;

    /// <summary>
    /// An Akka PDU as Akka's codec writes it (WireFormats.proto, ContainerFormats.proto): AkkaProtocolMessage.payload =
    /// AckAndEnvelopeContainer { ack, envelope = RemoteEnvelope { recipient, message = Payload, sender, seq } }.
    /// Akka writes seq = ulong.MaxValue for a message without one.
    /// </summary>
    private static byte[] Frame(ActorSystem system, string recipient, Ack message, string? sender = null, byte[]? ack = null, ulong? seq = ulong.MaxValue,
        int serializer = PubSubSerializer.SerializerId, string manifest = "tA", byte[]? bytes = null)
    {
        bytes ??= SerializerBytes(system, message);
        var payload = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(bytes));
            w.WriteTag(2, WireFormat.WireType.Varint); w.WriteInt32(serializer);
            w.WriteTag(3, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFromUtf8(manifest));
        });
        var envelope = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(PathData(recipient)));
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(payload));
            if (sender is not null) { w.WriteTag(4, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(PathData(sender))); }
            if (seq is { } s and not 0) { w.WriteTag(5, WireFormat.WireType.Fixed64); w.WriteFixed64(s); }
        });
        var container = Message(w =>
        {
            if (ack is not null) { w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(ack)); }
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(envelope));
        });
        return Pdu(container);
    }

    private static byte[] Pdu(byte[] container) => Message(w =>
    {
        w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(container));
    });

    /// <summary>A heartbeat: AkkaProtocolMessage.instruction = AkkaControlMessage { commandType = HEARTBEAT (3) }.</summary>
    private static byte[] Instruction() => Message(w =>
    {
        w.WriteTag(2, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(Message(c => { c.WriteTag(1, WireFormat.WireType.Varint); c.WriteEnum(3); })));
    });

    private static byte[] PathData(string path) => Message(w => { w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString(path); });

    private static byte[] SerializerBytes(ActorSystem system, Ack message)
    {
        var serializer = (PubSubSerializer)system.Serialization.FindSerializerFor(message);
        Assert.Equal("tA", serializer.Manifest(message));
        return serializer.ToBinary(message);
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    /// <summary>The length-delimited fields of a message, in order (field number, bytes).</summary>
    private static List<KeyValuePair<int, byte[]>> Fields(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new List<KeyValuePair<int, byte[]>>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            Assert.Equal(WireFormat.WireType.LengthDelimited, WireFormat.GetTagWireType(tag));
            fields.Add(new(WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
        }
        return fields;
    }

    /// <summary>AcknowledgementInfo { cumulativeAck = 1 (fixed64), nacks = 2 (repeated fixed64, packed) }.</summary>
    private sealed class AckBuilder
    {
        public ulong CumulativeAck { get; init; }
        public ulong[] Nacks { get; init; } = [];

        public byte[] Bytes() => Message(w =>
        {
            // proto3 leaves a field at its default out, as Akka's codec does
            if (CumulativeAck != 0) { w.WriteTag(1, WireFormat.WireType.Fixed64); w.WriteFixed64(CumulativeAck); }
            if (Nacks.Length == 0) return;
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteLength(Nacks.Length * 8);
            foreach (var nack in Nacks) w.WriteFixed64(nack);
        });

        /// <summary>An AckAndEnvelopeContainer with this ack and no envelope (Akka's pure ack).</summary>
        public byte[] Container() => Message(w => { w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(Bytes())); });
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }

    /// <summary>Collects what it receives, with the senders; optionally watches an actor and reports its end.</summary>
    private sealed class Collector : ReceiveActor
    {
        public Collector(int expected, TaskCompletionSource<List<object>> done, List<IActorRef> senders, IActorRef? watch,
            TaskCompletionSource<IActorRef>? terminated)
        {
            if (watch is not null) Context.Watch(watch);
            var received = new List<object>(expected);
            Receive<Terminated>(t => terminated?.TrySetResult(t.ActorRef));
            ReceiveAny(message =>
            {
                received.Add(message);
                senders.Add(Sender);
                if (received.Count == expected) done.TrySetResult(received);
            });
        }
    }
}
