using System.Collections.Immutable;
using ActorPubSub.Client;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary><c>pubsub publish &lt;topic&gt; &lt;text&gt;</c>: publishes a string message, confirmed once persisted.</summary>
internal static class PublishCommand
{
    public static AdminCommand Create() => new("publish", "publishes a text message (a string) and waits until it is persisted",
    [
        CommandArgument.Positional("topic", "the topic (created on first use)"),
        CommandArgument.Positional("text", "the message"),
        CommandArgument.Option("key", 'k', "the message key (ordering key of subscriptions ordered by key)"),
        CommandArgument.Option("header", 'H', "a header, given once per header") with { Repeated = true, ValueName = "name=value" },
        CommandArgument.Option("id", null, "a message id: a repeat within the dedup window is stored once") with { ValueName = "message-id" },
    ]) { Run = RunAsync };

    private static async Task<CommandResult> RunAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var text = args.RequiredString("text");
        var headers = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var header in args.Strings("header"))
        {
            var equals = header.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw args.Invalid("header", $"must be name=value with a non-empty name, not '{header}'");
            var name = header[..equals];
            if (!headers.TryAdd(name, header[(equals + 1)..])) throw args.Invalid("header", $"gives header '{name}' twice");
        }
        var options = new PublishOptions
        {
            Key = args.String("key"),
            Headers = headers.Count == 0 ? null : headers.ToImmutable(),
            MessageId = args.String("id"),
        };
        var receipt = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).PublishAsync(topic, text, options, context.Cancellation));
        return CommandResult.Lines(
            new JsonObject { ["topic"] = topic, ["sequence"] = receipt.Sequence, ["duplicate"] = receipt.Duplicate },
            $"Published to {topic} as #{receipt.Sequence}" + (receipt.Duplicate ? " (a repeat of a message id stored before: not stored again)" : ""));
    }
}
