using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Client;

/// <summary>What the publisher's specs share: starting a <see cref="PublisherActor"/>, publishing through its queue, and reading what it sent.</summary>
internal static class PublisherHarness
{
    /// <summary>Settings whose timers stay out of a route spec's way (no resend within 30 s).</summary>
    public static readonly ClientSettings RouteSettings = new(
        ResendAfter: TimeSpan.FromSeconds(30), PublishTimeout: TimeSpan.FromSeconds(60), RequestTimeout: TimeSpan.FromSeconds(5),
        MaxMessageSize: 1024 * 1024);

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

    /// <summary>
    /// An actor at a sharded entity's path of <paramref name="type"/> (<c>/system/sharding/&lt;type&gt;/7/orders</c>) that
    /// hands what it gets to <paramref name="probe"/>: what the publisher takes for a topic actor when its type is the topics'.
    /// </summary>
    public static async Task<IActorRef> EntityAt(Akka.TestKit.Xunit2.TestKit kit, IActorRef probe, string type = TopicRegion.TypeName)
    {
        var below = new[] { type, "7", "orders" };
        ((ExtendedActorSystem)kit.Sys).SystemActorOf(Props.Create(() => new PathActor(below, probe)), "sharding");
        // The chain is built by its constructors, after SystemActorOf returns: resolve until the leaf is there.
        IActorRef? leaf = null;
        await kit.AwaitAssertAsync(async () => leaf = await kit.Sys.ActorSelection($"/system/sharding/{type}/7/orders").ResolveOne(TimeSpan.FromSeconds(1)),
            TimeSpan.FromSeconds(10));
        return leaf!;
    }

    /// <summary>Builds its path one child at a time; the last one hands every message to the probe.</summary>
    private sealed class PathActor : ReceiveActor
    {
        public PathActor(string[] below, IActorRef probe)
        {
            if (below.Length > 0)
            {
                var rest = below.Skip(1).ToArray();
                Context.ActorOf(Props.Create(() => new PathActor(rest, probe)), below[0]);
            }
            else ReceiveAny(m => probe.Forward(m));
        }
    }

    /// <summary>The publishes a sent message carries: a publish alone or a batch.</summary>
    public static ImmutableArray<Publish> Publishes(object? message) => message switch
    {
        Publish p => [p],
        PublishBatch b => b.Publishes,
        _ => throw new Xunit.Sdk.XunitException($"expected a publish, got {message?.GetType().Name ?? "nothing"}"),
    };
}
