using ActorPubSub.Client;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>The pubsub commands' checks of names and their translation of the client's errors into admin answers.</summary>
internal static class PubSubErrors
{
    public static string Topic(CommandArgs args, string argument = "topic")
    {
        var topic = args.RequiredString(argument);
        return TopicNames.ValidateTopic(topic) is { } error ? throw args.Invalid(argument, error) : topic;
    }

    public static string Subscription(CommandArgs args, string argument = "subscription")
    {
        var subscription = args.RequiredString(argument);
        return TopicNames.ValidateSubscription(subscription) is { } error ? throw args.Invalid(argument, error) : subscription;
    }

    /// <summary>Runs a client call; a refusal becomes 404/400/409/503 and a missing answer 504.</summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PubSubRejectedException e)
        {
            throw new AdminException(e.Code switch
            {
                RejectionCode.UnknownTopic or RejectionCode.UnknownSubscription => 404,
                RejectionCode.Invalid => 400,
                RejectionCode.Conflict or RejectionCode.IncompatibleSchema => 409,
                // the request was well-formed; the message is what the topic refused: a failure (pbm exit 1), not a usage error
                RejectionCode.ContractViolation => 422,
                _ => 503,
            }, e.Message);
        }
        catch (TimeoutException e)
        {
            throw new AdminException(504, e.Message);
        }
    }

    /// <summary>The topic's state; a 404 when it does not exist.</summary>
    public static async Task<TopicInfo> ExistingTopicAsync(AdminContext context, string topic)
    {
        var info = await CallAsync(() => PubSubClient.Get(context.System).GetTopicInfoAsync(topic, context.Cancellation));
        return info.Exists
            ? info
            : throw AdminException.NotFound($"topic '{topic}' not found (it has never had a message or a subscription)");
    }

    /// <summary>The subscription's state; a 404 listing the topic's subscriptions when it has none of that name.</summary>
    public static SubscriptionInfo ExistingSubscription(TopicInfo info, string subscription) =>
        info.Subscriptions.FirstOrDefault(s => s.Name == subscription)
        ?? throw AdminException.NotFound(
            $"subscription '{subscription}' not found on topic '{info.Topic}'; its subscriptions are "
            + (info.Subscriptions.IsEmpty ? "none" : string.Join(", ", info.Subscriptions.Select(s => s.Name))));
}
