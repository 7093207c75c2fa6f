using System.Collections.Concurrent;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using StringValue = Google.Protobuf.WellKnownTypes.StringValue;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Security;

/// <summary>
/// No peer chooses the .NET types a node or a consumer creates: payloads written with Akka's type-name JSON (a <c>$type</c>
/// gadget, an unbound type from a publisher on Akka's defaults) are refused by consumers and dead-lettered at once;
/// a raw remote message of an unbound type from a peer ActorSystem is not deserialized; an unbound type cannot be
/// published or subscribed to; the node stays Up throughout.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PeerChosenTypesSpec : NodeSpec
{
    private static readonly SubscriptionOptions Retrying = new()
    {
        MaxDeliveryAttempts = 5,
        Backoff = new RetryBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), 2),
    };

    [Fact]
    public async Task A_type_name_gadget_payload_should_be_refused_by_the_consumer_and_dead_lettered_at_once()
    {
        // arrange: a consumer of strings; a publisher that writes JSON naming a .NET type under Akka's JSON serializer id
        var marker = Guid.NewGuid().ToString("N");
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("gadget", "s", log.Recording, Retrying);
        var json = $$"""{"$type":"{{typeof(Gadget).AssemblyQualifiedName}}","Marker":"{{marker}}"}""";

        // act
        await PublishRawAsync("gadget", new Payload(1, "", Encoding.UTF8.GetBytes(json)));
        await Node.Client.PublishAsync("gadget", "after the gadget");

        // assert: dead-lettered on its first attempt with the reason; never created; the consumer goes on; the node is Up
        var letter = await SingleDeadLetterAsync("gadget");
        Assert.Equal(DeadLetterReason.Unprocessable, letter.Reason);
        Assert.Equal(1, letter.Attempts);
        Assert.Contains("serializer id 1 (Akka's JSON with .NET type names, which ActorPubSub never reads)", letter.LastError);
        Assert.Contains("reads only serializer id(s) 17", letter.LastError);
        await log.ReceivedAsync(1);
        Assert.Equal(["after the gadget"], log.All.Select(d => d.Message));
        Assert.False(Gadget.Created.ContainsKey(marker));
        Assert.Equal(MemberStatus.Up, Cluster.Get(Node.System).SelfMember.Status);
    }

    [Fact]
    public async Task An_unregistered_type_from_a_publisher_on_Akkas_defaults_should_be_refused_and_dead_lettered_at_once()
    {
        // arrange: the payload a publisher whose ActorSystem falls back to Newtonsoft writes for an unbound type;
        // a consumer of object that accepts strings and byte arrays
        using var defaults = ActorSystem.Create("akka-defaults");
        var order = new UnboundOrder("o-1", 3);
        var serializer = defaults.Serialization.FindSerializerFor(order);
        Assert.Equal(1, serializer.Identifier);
        var payload = new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, order), serializer.ToBinary(order));
        var log = new DeliveryLog<object>();
        await using var sub = await Node.Client.SubscribeAsync<object>("unbound", "s", log.Recording,
            Retrying, new ConsumerOptions { AcceptedPayloadTypes = [typeof(string), typeof(byte[])] });

        // act
        await Node.Client.PublishAsync("unbound", "text");
        await PublishRawAsync("unbound", payload);
        await Node.Client.PublishAsync("unbound", new byte[] { 7 });

        // assert
        var letter = await SingleDeadLetterAsync("unbound");
        Assert.Equal(DeadLetterReason.Unprocessable, letter.Reason);
        Assert.Equal(1, letter.Attempts);
        Assert.Equal(2, letter.Message.Sequence);
        Assert.Contains("written by serializer id 1", letter.LastError);
        await log.ReceivedAsync(2);
        Assert.Equal("text", log.All.Single(d => d.Sequence == 1).Message);
        Assert.Equal(new byte[] { 7 }, (byte[])log.All.Single(d => d.Sequence == 3).Message);
        Assert.Equal(MemberStatus.Up, Cluster.Get(Node.System).SelfMember.Status);
    }

    [Fact]
    public async Task A_protobuf_payload_should_be_read_only_when_its_type_name_manifest_names_the_handlers_type()
    {
        // arrange: a consumer of a Google.Protobuf message (Akka.Remote's protobuf serializer, whose manifest is a type name)
        var log = new DeliveryLog<StringValue>();
        await using var sub = await Node.Client.SubscribeAsync<StringValue>("proto", "s", log.Recording, Retrying);
        var timestamp = Timestamp.FromDateTime(DateTime.UnixEpoch);
        var serializer = Node.System.Serialization.FindSerializerFor(timestamp);

        // act: a StringValue as published, then the same serializer id with a manifest naming another protobuf type
        await Node.Client.PublishAsync("proto", new StringValue { Value = "order 1" });
        await PublishRawAsync("proto", new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, timestamp),
            serializer.ToBinary(timestamp)));

        // assert
        await log.ReceivedAsync(1);
        Assert.Equal("order 1", log.All.Single().Message.Value);
        var letter = await SingleDeadLetterAsync("proto");
        Assert.Equal(DeadLetterReason.Unprocessable, letter.Reason);
        Assert.Equal(2, letter.Message.Sequence);
        Assert.Contains("its manifest names the type 'Google.Protobuf.WellKnownTypes.Timestamp", letter.LastError);
        Assert.Single(log.All);
    }

    [Fact]
    public async Task Publishing_an_unbound_type_should_fail_at_once_naming_the_fix()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.PublishAsync("orders", new UnboundOrder("o-1", 1)));
        AssertNamesTheFix(error, typeof(UnboundOrder));

        var transient = Assert.Throws<ArgumentException>(() => Node.Client.PublishTransient("orders", new UnboundOrder("o-2", 1)));
        AssertNamesTheFix(transient, typeof(UnboundOrder));

        // an int[] has no binding either (it used to travel as type-name JSON)
        var array = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.PublishAsync("orders", new[] { 1, 2 }));
        Assert.Contains("System.Int32[] has no serializer binding", array.Message);

        // nothing reached the topic
        Assert.Equal(0, (await Node.Client.GetTopicInfoAsync("orders")).LastSequence);
    }

    [Fact]
    public async Task A_consumer_should_not_start_without_a_serializer_of_its_own_for_its_payloads()
    {
        static Task Ignore<T>(Delivery<T> d, CancellationToken ct) => Task.CompletedTask;

        var unbound = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.SubscribeAsync<UnboundOrder>("orders", "s", Ignore));
        Assert.Contains("A handler of ActorPubSub.Tests.Security.UnboundOrder needs a serializer bound to that type", unbound.Message);
        Assert.Contains("AcceptedPayloadTypes", unbound.Message);

        var anything = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.SubscribeAsync<object>("orders", "s", Ignore));
        Assert.Contains("A handler of System.Object needs a serializer", anything.Message);

        var wrongType = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.SubscribeAsync<string>("orders", "s", Ignore,
            null, new ConsumerOptions { AcceptedPayloadTypes = [typeof(byte[])] }));
        Assert.Contains("AcceptedPayloadTypes names System.Byte[], which the handler's type System.String cannot take", wrongType.Message);
    }

    [Fact]
    public async Task A_raw_remote_message_of_an_unbound_type_from_a_peer_should_not_be_deserialized_and_the_node_stays_Up()
    {
        // arrange: a peer ActorSystem on Akka's defaults (Newtonsoft with type names for unbound types); the node's log
        var logged = new ConcurrentQueue<string>();
        var listener = Node.System.ActorOf(Props.Create(() => new LogCollector(logged)));
        Node.System.EventStream.Subscribe(listener, typeof(LogEvent));
        using var peer = ActorSystem.Create("peer", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = WARNING
            """));
        var marker = Guid.NewGuid().ToString("N");
        var gadget = new Gadget { Marker = marker };   // created once here, by the sender

        // act: what the peer sent, and a gadget whose setter would show a deserialization on the node
        var nobody = peer.ActorSelection($"{Node.Address}/user/nobody");
        nobody.Tell(new Dictionary<string, Uri> { ["home"] = new("https://example.com/") });
        nobody.Tell(gadget);

        // assert: both refused (logged by Akka.Remote), the gadget never created on the node's side
        await Eventually.HoldsAsync(() => logged.Count(l => l.Contains("Refused a message written by Akka's type-name JSON")) >= 2,
            "the node refused both messages", TimeSpan.FromSeconds(30));
        Assert.Equal(1, Gadget.Created[marker]);

        // assert: the node is Up and serving
        Assert.Equal(MemberStatus.Up, Cluster.Get(Node.System).SelfMember.Status);
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("after-peer", "s", log.Recording);
        await Node.Client.PublishAsync("after-peer", "still serving");
        await log.ReceivedAsync(1);
        Node.System.EventStream.Unsubscribe(listener);
    }

    [Fact]
    public void The_lighthouse_binding_should_refuse_type_name_JSON_and_unbound_types()
    {
        // The lighthouse does not load the library: it binds the Server's copy of the refusing serializer.
        using var system = ActorSystem.Create("lighthouse-like", ConfigurationFactory.ParseString(
            ActorPubSub.Server.Security.RefusedJsonSerializer.Hocon + "\nakka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0"));
        var marker = Guid.NewGuid().ToString("N");
        var json = $$"""{"$type":"{{typeof(Gadget).AssemblyQualifiedName}}","Marker":"{{marker}}"}""";

        var refused = Assert.Throws<SerializationException>(() => system.Serialization.Deserialize(Encoding.UTF8.GetBytes(json), 1, ""));
        Assert.Contains("a peer does not choose the .NET types this process creates", refused.Message);
        Assert.False(Gadget.Created.ContainsKey(marker));
        Assert.Throws<SerializationException>(() => system.Serialization.FindSerializerFor(new UnboundOrder("o", 1)));
        // Akka's own messages keep their serializers
        Assert.Equal(17, system.Serialization.FindSerializerFor("text").Identifier);
        Assert.Equal(4, system.Serialization.FindSerializerFor(new byte[] { 1 }).Identifier);
    }

    private async Task PublishRawAsync(string topic, Payload payload)
    {
        var probe = Kit.CreateTestProbe();
        Node.Region.Tell(new Publish(topic, payload), probe.Ref);
        var reply = await probe.ExpectMsgAsync<object>(TimeSpan.FromSeconds(20));
        Assert.True(reply is PublishReceipt or PublishReceipts, $"the topic stored the payload (got {reply})");
    }

    private async Task<ActorPubSub.DeadLetter> SingleDeadLetterAsync(string topic)
    {
        var page = await Eventually.HoldsAsync(() => Node.Client.ListDeadLettersAsync(topic, "s"), p => p.Total >= 1,
            $"the refused message of {topic} reached the dead-letter store", TimeSpan.FromSeconds(30));
        return Assert.Single(page.Letters);
    }

    private static void AssertNamesTheFix(ArgumentException error, Type type)
    {
        Assert.Contains($"{type.FullName} has no serializer binding", error.Message);
        Assert.Contains("serialization-bindings", error.Message);
        Assert.Contains("WithCustomSerializer", error.Message);
        Assert.Contains("string, byte[] or Google.Protobuf message", error.Message);
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> logged) =>
            Receive<LogEvent>(e => logged.Enqueue($"{e.Message} {e.Cause}"));
    }
}

/// <summary>A type whose creation a test can see: its setter counts, per marker, the instances made.</summary>
public sealed class Gadget
{
    public static readonly ConcurrentDictionary<string, int> Created = new();

    public string? Marker
    {
        get;
        set
        {
            field = value;
            if (value is not null) Created.AddOrUpdate(value, 1, (_, n) => n + 1);
        }
    }
}

/// <summary>A message type with no serializer binding.</summary>
public sealed record UnboundOrder(string Id, int Quantity);
