using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// Enforcement every publisher gets: a publish no client of this version checked (an older client, a program speaking
/// the topic protocol, a ClusterClient) is checked at its topic; the catalogue is reached through a ClusterClient too.
/// Real broker ActorSystems on loopback with a real SQLite journal.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CatalogEdgeSpec
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Topic_must_refuse_an_unchecked_publish_failing_an_enforce_contract_and_store_nothing()
    {
        await using var cluster = await PubSubCluster.StartAsync(2);
        var node = cluster.Nodes[1];
        await node.Client.RegisterSchemaAsync("orders", V1, validation: ValidationMode.Enforce);
        var received = new ConcurrentQueue<Delivery<string>>();
        await using var consumer = await node.Client.SubscribeAsync<string>("orders", "billing",
            (d, _) => { received.Enqueue(d); return Task.CompletedTask; });
        await Eventually.HoldsAsync(() => ActorPubSub.Catalog.ContractCache.Get(cluster.Nodes[0].System).Find("orders")?.Version == 1,
            "every node's cache has the contract", Deadline);
        var before = (await node.Client.GetTopicInfoAsync("orders")).LastSequence;

        // A program speaking the topic protocol (as an older client does): no schema-version header.
        var region = ActorRegistry.For(node.System).Get<TopicRegion>();
        var invalid = await region.Ask<object>(new Publish("orders", Text(node.System, """{"id":"seven"}""")), AskTimeout);
        var typed = await region.Ask<object>(new Publish("orders", Typed(node.System, 7L)), AskTimeout);
        var valid = await region.Ask<object>(new Publish("orders", Text(node.System, """{"id":7}""")), AskTimeout);

        var refused = Assert.IsType<PublishRejected>(invalid);
        Assert.Equal(RejectionCode.ContractViolation, refused.Code);
        Assert.Contains("/id", refused.Reason);
        Assert.Contains("checked at the topic", refused.Reason);
        var refusedTyped = Assert.IsType<PublishRejected>(typed);
        Assert.Equal(RejectionCode.ContractViolation, refusedTyped.Code);
        Assert.Contains("cannot be read as JSON", refusedTyped.Reason);
        var receipt = Assert.IsType<PublishReceipt>(valid);
        Assert.Equal(before + 1, receipt.Sequence);
        Assert.Equal(before + 1, (await node.Client.GetTopicInfoAsync("orders")).LastSequence);
        var delivery = await Eventually.HoldsAsync(() => Task.FromResult(received.FirstOrDefault()), d => d is not null, "the valid message is delivered", Deadline);
        Assert.Equal("1", delivery!.Headers!["schema-version"]);
    }

    [Fact]
    public async Task Cluster_client_must_reach_the_catalogue_and_its_unchecked_publishes_must_be_checked_at_the_topic()
    {
        await using var cluster = await PubSubCluster.StartAsync(2, configure: o => o.AcceptClusterClients = true);
        await using var service = await PubSubClientHost.StartAsync(new PubSubClientOptions
        {
            ContactPoints = [cluster.Nodes[0].Address.ToString(), cluster.Nodes[1].Address.ToString()],
        }, systemName: "service");

        // The catalogue's calls work through the ClusterClient (the gateway forwards them to the singleton).
        var registered = await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    return await service.Client.RegisterSchemaAsync("invoices", V1, validation: ValidationMode.Enforce);
                }
                catch (TimeoutException)
                {
                    return null;   // the client has not found a receptionist yet
                }
            }, r => r is not null, "the client registers a schema through the ClusterClient", Deadline);
        Assert.Equal(1, registered!.Version);
        await service.Client.SetTopicInfoAsync("invoices", owner: "team-billing");
        Assert.Equal("team-billing", (await service.Client.GetContractAsync("invoices"))!.Owner);
        Assert.Contains(await service.Client.ListContractsAsync(), c => c.Topic == "invoices");

        // Its own publishes are checked by the client (its watcher keeps its cache through the ClusterClient)...
        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => service.Client.PublishAsync("invoices", """{"id":"x"}"""));
        Assert.Equal(RejectionCode.ContractViolation, refused.Code);
        // ...and one it sends without the check (as an older client) is refused at the topic, through the gateway.
        var transport = ActorRegistry.For(service.System).Get<TopicRegion>();
        var notChecked = await transport.Ask<object>(new Publish("invoices", Text(service.System, """{"id":"x"}""")), AskTimeout);
        var rejection = Assert.IsType<PublishRejected>(notChecked);
        Assert.Equal(RejectionCode.ContractViolation, rejection.Code);
        Assert.Contains("/id", rejection.Reason);
        var ok = await service.Client.PublishAsync("invoices", """{"id":1}""");
        Assert.Equal(1, ok.Sequence);
    }

    private static Payload Text(ActorSystem system, string json)
    {
        var serializer = system.Serialization.FindSerializerFor(json);
        return new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, json), serializer.ToBinary(json));
    }

    private static Payload Typed(ActorSystem system, long value)
    {
        var serializer = system.Serialization.FindSerializerFor(value);
        return new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, value), serializer.ToBinary(value));
    }
}
