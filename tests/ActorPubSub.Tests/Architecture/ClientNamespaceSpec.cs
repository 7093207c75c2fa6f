using System.Collections.Immutable;
using System.Reflection;
using ActorPubSub;

// Outside ActorPubSub on purpose: code in ActorPubSub.* sees the root namespace without a using, a user's code does not.
namespace ActorPubSubUser.Architecture;

/// <summary>
/// What a caller of <see cref="IPubSub"/> names lives in one namespace, <c>ActorPubSub</c>: the interface, its options,
/// receipts, answers and exceptions (the registration, <c>AddPubSubClient</c>/<c>WithActorPubSub</c>, is in
/// <c>ActorPubSub.Hosting</c>).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ClientNamespaceSpec
{
    // The stored message a dead letter carries (and its payload) are the engine's message vocabulary, reached through
    // DeadLetter.Message; a caller rarely names them.
    private static readonly ImmutableHashSet<string> ReachedThroughDeadLetters = ["TopicMessage", "Payload"];

    [Fact]
    public void Code_with_only_the_client_namespace_should_name_what_IPubSub_takes_and_returns()
    {
        // This compiles with `using ActorPubSub;` alone (the file's only using of ours): the assertion is that it builds.
        Func<IPubSub, Task<(PublishReceipt, TopicInfo, SubscriptionCreated)>> use = async pubsub =>
        {
            var subscription = new SubscriptionOptions
            {
                Start = StartPosition.Latest,
                Backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 2),
            };
            var consumer = new ConsumerOptions { MaxInFlight = 16, HandlerTimeout = TimeSpan.FromSeconds(10) };
            PublishReceipt receipt = await pubsub.PublishAsync("orders", "o-1", new PublishOptions { Overflow = TransientOverflow.Fail });
            SubscriptionCreated created = await pubsub.CreateSubscriptionAsync("orders", "audit", subscription);
            await using ISubscription running = await pubsub.SubscribeAsync<string>("orders", "billing",
                (Delivery<string> d, CancellationToken ct) => Task.CompletedTask, subscription, consumer);
            TopicInfo info = await pubsub.GetTopicInfoAsync("orders");
            SubscriptionInfo? first = info.Subscriptions.FirstOrDefault();
            TopicConfigured configured = await pubsub.ConfigureTopicAsync("orders", new TopicRetention(TimeSpan.FromHours(1), 1000),
                new TopicLimits(0, 0, TimeSpan.Zero, WhenFull.Refuse));
            SeekCompleted seek = await pubsub.SeekAsync("orders", "billing", 1);
            DeadLetterPage page = await pubsub.ListDeadLettersAsync("orders", "billing");
            DeadLetter? letter = await pubsub.GetDeadLetterAsync("orders", "billing", 1);
            DeadLetterReason? reason = letter?.Reason;
            DeadLettersRedriven redriven = await pubsub.RedriveDeadLettersAsync("orders", "billing");
            DeadLettersPurged purged = await pubsub.PurgeDeadLettersAsync("orders", "billing");
            SubscriptionDeleted deleted = await pubsub.DeleteSubscriptionAsync("orders", "audit");
            try { await pubsub.WaitUntilReadyAsync(); }
            catch (PubSubRejectedException e) when (e.Code == RejectionCode.TopicFull) { }
            catch (PubSubUnavailableException) { }
            _ = (first, configured, seek, page, reason, redriven, purged, deleted, typeof(UnprocessableMessageException));
            return (receipt, info, created);
        };

        Assert.NotNull(use);
    }

    [Fact]
    public void Every_type_of_ours_in_IPubSub_and_in_what_it_returns_should_be_in_the_client_namespace()
    {
        // arrange: the types of IPubSub's parameters and results, and of their public properties, recursively
        var library = typeof(IPubSub).Assembly;
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(typeof(IPubSub).GetMethods()
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)));

        // act
        while (pending.TryDequeue(out var type))
        {
            if (type.IsByRef || type.IsArray || type.IsGenericParameter)
            {
                if (type.GetElementType() is { } element) pending.Enqueue(element);
                continue;
            }
            if (type.IsGenericType)
                foreach (var argument in type.GetGenericArguments()) pending.Enqueue(argument);
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            if (definition.Assembly != library || !seen.Add(definition) || ReachedThroughDeadLetters.Contains(definition.Name)) continue;
            foreach (var property in definition.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                pending.Enqueue(property.PropertyType);
        }

        // assert
        var elsewhere = seen.Where(t => t.Namespace != "ActorPubSub" && !ReachedThroughDeadLetters.Contains(t.Name))
            .Select(t => t.FullName).ToList();
        Assert.True(seen.Count > 20, $"expected the client's types, found {seen.Count}");
        Assert.True(elsewhere.Count == 0, "Types a caller of IPubSub names outside namespace ActorPubSub: " + string.Join(", ", elsewhere));
    }
}
