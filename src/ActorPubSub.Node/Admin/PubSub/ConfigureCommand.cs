using ActorPubSub.Client;
using ActorPubSub.Topics;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// <c>pubsub configure</c>: a topic's own limits on its log (they replace the node's defaults
/// <c>actorpubsub.topic.max-retained-*</c> and <c>when-full</c> for this topic). A limit not given keeps the value the
/// topic has now; the topic applies the new limits at once (with drop-oldest or a max age it drops what lies beyond
/// them right away). The topic need not exist yet: limits set before the first publish hold from it on.
/// </summary>
internal static class ConfigureCommand
{
    private static readonly string[] LimitNames = ["max-bytes", "max-messages", "max-age", "when-full"];

    public static AdminCommand Create() => new("configure",
        "sets a topic's limits: max bytes, messages and age it retains, and whether it refuses or drops the oldest when full",
        [
            CommandArgument.Positional("topic", "the topic"),
            CommandArgument.Option("max-bytes", null, "message bytes retained, e.g. 10GiB; 0: no limit") with { ValueName = "size" },
            CommandArgument.Option("max-messages", null, "messages retained; 0: no limit") with { Type = ArgumentType.Integer, Min = 0, ValueName = "n" },
            CommandArgument.Option("max-age", null, "older messages are dropped even when unacknowledged, e.g. 7d; 0: never") with { ValueName = "duration" },
            CommandArgument.Option("when-full", null, "at max bytes or messages: refuse publishes, or drop the oldest messages") with
                { ValueName = "refuse|drop-oldest" },
        ]) { Run = RunAsync };

    private static async Task<CommandResult> RunAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var maxBytes = args.String("max-bytes") is { } bytes ? LimitArguments.Size(bytes) ?? throw Invalid(args, "max-bytes", LimitArguments.SizeRule, bytes) : (long?)null;
        var maxAge = args.String("max-age") is { } age ? LimitArguments.Duration(age) ?? throw Invalid(args, "max-age", LimitArguments.DurationRule, age) : (TimeSpan?)null;
        var whenFull = args.String("when-full") is { } full ? LimitArguments.WhenFullOf(full) ?? throw Invalid(args, "when-full", LimitArguments.WhenFullRule, full) : (WhenFull?)null;
        var maxMessages = args.Integer("max-messages");
        if (maxBytes is null && maxMessages is null && maxAge is null && whenFull is null)
            throw AdminException.BadArgument("limits", $"give at least one of {string.Join(", ", LimitNames.Select(n => "--" + n))}", args.Usage);

        var client = PubSubClient.Get(context.System);
        // What is not given stays as the topic has it (a node that does not report its limits: no limit).
        var info = await PubSubErrors.CallAsync(() => client.GetTopicInfoAsync(topic, context.Cancellation));
        var current = info.Limits ?? new TopicLimits(0, 0, TimeSpan.Zero, WhenFull.Refuse);
        var limits = new TopicLimits(maxBytes ?? current.MaxBytes, maxMessages ?? current.MaxMessages, maxAge ?? current.MaxAge,
            whenFull ?? current.WhenFull);
        var configured = await PubSubErrors.CallAsync(() => client.ConfigureTopicAsync(topic, null, limits, context.Cancellation));
        var effective = configured.Limits ?? limits;
        return CommandResult.Lines(
            new JsonObject { ["topic"] = topic, ["limits"] = TopicJson.Limits(effective), ["retention"] = TopicJson.Retention(configured.Retention) },
            $"Configured topic {topic}: {TopicJson.DescribeLimits(effective)}");
    }

    private static AdminException Invalid(CommandArgs args, string name, string rule, string value) =>
        args.Invalid(name, $"{rule}, not '{value}'");
}
