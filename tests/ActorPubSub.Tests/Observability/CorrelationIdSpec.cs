using System.Collections.Immutable;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Observability;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>
/// Which correlation id a message gets: the publisher's own, else the ambient one, else a new one (with
/// <c>generate-correlation-id = on</c>); it travels as the <c>correlation-id</c> header beside the caller's headers.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CorrelationIdSpec : NodeSpec
{
    private readonly string _topic = $"obs-correlation-{Guid.NewGuid():N}";

    protected override PubSubOptions Options => new() { ExtraHocon = "actorpubsub.client.generate-correlation-id = on" };

    [Fact]
    public async Task Publish_should_take_the_given_then_the_ambient_then_a_generated_correlation_id()
    {
        // arrange
        var log = new DeliveryLog<string>();
        await using var subscription = await Node.Client.SubscribeAsync<string>(_topic, "audit", log.Recording);
        var headers = ImmutableDictionary<string, string>.Empty.Add("type", "order.created");

        // act
        await Node.Client.PublishAsync(_topic, "given", new PublishOptions { CorrelationId = "given-1", Headers = headers });
        await Task.Run(async () =>
        {
            PubSubCorrelation.Current = "ambient-1";   // e.g. from an incoming request; flows to this async call only
            await Node.Client.PublishAsync(_topic, "ambient");
            await Node.Client.PublishAsync(_topic, "given beats ambient", new PublishOptions { CorrelationId = "given-2" });
        });
        await Node.Client.PublishAsync(_topic, "generated");
        await log.ReceivedAsync(4);

        // assert
        var byMessage = log.All.ToDictionary(d => d.Message);
        Assert.Equal("given-1", byMessage["given"].CorrelationId);
        Assert.Equal(("order.created", "given-1"), (byMessage["given"].Headers!["type"], byMessage["given"].Headers![PubSubHeaders.CorrelationId]));
        Assert.Equal("ambient-1", byMessage["ambient"].CorrelationId);
        Assert.Equal("given-2", byMessage["given beats ambient"].CorrelationId);
        Assert.Matches("^[0-9a-f]{32}$", byMessage["generated"].CorrelationId);
        Assert.Null(PubSubCorrelation.Current);
    }
}
