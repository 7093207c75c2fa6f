using ActorPubSub.Client;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// <c>pubsub subscription create|delete</c>: durable subscriptions made and removed by an operator, e.g. to prepare a
/// subscription before its service is deployed, or to remove one whose service is gone (a topic keeps every message a
/// subscription has not acknowledged, so an abandoned subscription holds the topic's messages for good).
/// </summary>
internal static class SubscriptionCommands
{
    private static readonly CommandArgument Topic = CommandArgument.Positional("topic", "the topic");
    private static readonly CommandArgument Subscription = CommandArgument.Positional("subscription", "the subscription");

    public static IEnumerable<AdminCommand> Create() =>
    [
        new("subscription create", "creates a durable subscription (from the oldest retained message, or --latest)",
        [
            Topic, Subscription,
            CommandArgument.Flag("latest", null, "start after the newest message (only messages published from now on)"),
            CommandArgument.Option("filter", 'f', "a header filter, e.g. region = \"eu\"") with { ValueName = "expression" },
        ]) { Run = CreateAsync },
        new("subscription delete", "deletes a subscription and its delivery state (its unacknowledged messages are dropped for it)",
            [Topic, Subscription]) { Run = DeleteAsync },
    ];

    private static async Task<CommandResult> CreateAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var subscription = PubSubErrors.Subscription(args);
        var options = new SubscriptionOptions
        {
            Start = args.Flag("latest") ? StartPosition.Latest : StartPosition.Earliest,
            Filter = args.String("filter"),
        };
        var created = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).CreateSubscriptionAsync(topic, subscription, options, context.Cancellation));
        return CommandResult.Lines(
            new JsonObject { ["topic"] = topic, ["subscription"] = subscription, ["watermark"] = created.Watermark, ["alreadyExisted"] = created.AlreadyExisted },
            created.AlreadyExisted
                ? $"Subscription {topic}/{subscription} exists already (watermark {created.Watermark})"
                : $"Created subscription {topic}/{subscription} (from {(options.Start == StartPosition.Latest ? $"after #{created.Watermark}" : "the oldest retained message")})");
    }

    private static async Task<CommandResult> DeleteAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var subscription = PubSubErrors.Subscription(args);
        var info = await PubSubErrors.ExistingTopicAsync(context, topic);
        PubSubErrors.ExistingSubscription(info, subscription);
        await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).DeleteSubscriptionAsync(topic, subscription, context.Cancellation));
        return CommandResult.Lines(new JsonObject { ["topic"] = topic, ["subscription"] = subscription },
            $"Deleted subscription {topic}/{subscription}");
    }
}
