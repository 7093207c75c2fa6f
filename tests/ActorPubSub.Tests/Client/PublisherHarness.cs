using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Client;

/// <summary>What the publisher's specs share: starting a <see cref="PublisherActor"/>, publishing through its queue, and reading what it sent.</summary>
internal static class PublisherHarness
{
    public static (IActorRef Publisher, PublishQueue Queue) Start(ActorSystem system, IActorRef region, ClientSettings settings, PublishBudget? budget = null)
    {
        var queue = new PublishQueue();
        return (system.ActorOf(PublisherActor.Props(region, settings, queue, budget ?? new PublishBudget(int.MaxValue, long.MaxValue))), queue);
    }

    /// <summary>Queues a one-byte publish to <paramref name="topic"/> and asks for the flush, as <c>PublishAsync</c> does.</summary>
    public static Task<PublishReceipt> Enqueue(IActorRef publisher, PublishQueue queue, string topic, byte b, int bytes = 1)
    {
        var completion = new TaskCompletionSource<PublishReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Enqueue(new PublisherActor.Send(topic, new Payload(4, "", [b]), null, null, null, completion, bytes));
        publisher.Tell(PublisherActor.FlushPublishes.Instance);
        return completion.Task;
    }

    /// <summary>The publishes a sent message carries: a publish alone or a batch.</summary>
    public static ImmutableArray<Publish> Publishes(object? message) => message switch
    {
        Publish p => [p],
        PublishBatch b => b.Publishes,
        _ => throw new Xunit.Sdk.XunitException($"expected a publish, got {message?.GetType().Name ?? "nothing"}"),
    };
}
