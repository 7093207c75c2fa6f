namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// <c>pubsub</c>: topics and subscriptions (state, lag), publish, tail and dead letters. Broker nodes only (they host
/// the topics); the commands reach any topic of the cluster through the topic shard region.
/// </summary>
internal static class PubSubPalette
{
    public static CommandPalette Create() => new("pubsub", "topics, subscriptions, lag, publish, tail, dead letters",
    [
        new AdminCommand("topics", "every topic: name, last sequence, subscriptions, retained messages, owning node", TopicPaging.Arguments)
            { Run = TopicCommands.TopicsAsync, Timeout = TopicCommands.ListingTimeout },
        new AdminCommand("topic", "one topic's state and its subscriptions", [CommandArgument.Positional("topic", "the topic")])
            { Run = TopicCommands.TopicAsync },
        new AdminCommand("subscriptions", "subscriptions (of one topic, or of every topic): watermark, lag, in-flight, consumers",
            [CommandArgument.Positional("topic", "only this topic's subscriptions", required: false), .. TopicPaging.Arguments])
            { Run = TopicCommands.SubscriptionsAsync, Timeout = TopicCommands.ListingTimeout },
        new AdminCommand("lag", "every subscription, the most behind first", TopicPaging.Arguments)
            { Run = TopicCommands.LagAsync, Timeout = TopicCommands.ListingTimeout },
        ConfigureCommand.Create(),
        .. SubscriptionCommands.Create(),
        PublishCommand.Create() with { Timeout = TimeSpan.FromSeconds(30) },
        TailCommand.Create(),
        .. DeadLetterCommands.Create(),
    ]);
}
