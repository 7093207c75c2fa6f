using System.Globalization;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// <c>pubsub dlq list|show|redrive|purge</c>: a subscription's dead letters. Redrive and purge act on the sequences
/// given, or on all of them only with <c>--all</c>, so a forgotten argument never purges a whole store.
/// </summary>
internal static class DeadLetterCommands
{
    /// <summary>A redrive writes every letter back into its topic; the store bounds each chunk by its own redrive-timeout.</summary>
    private static readonly TimeSpan RedriveTimeout = TimeSpan.FromSeconds(120);

    private static readonly CommandArgument Topic = CommandArgument.Positional("topic", "the topic");
    private static readonly CommandArgument Subscription = CommandArgument.Positional("subscription", "the subscription");
    private static readonly CommandArgument Sequences = CommandArgument.Positional("sequence", "the sequence numbers of the dead letters", required: false)
        with { Type = ArgumentType.Integer, Min = 1, Repeated = true };
    private static readonly CommandArgument All = CommandArgument.Flag("all", null, "every dead letter of the subscription (instead of sequences)");

    public static IEnumerable<AdminCommand> Create() =>
    [
        new("dlq list", "the subscription's dead letters, by sequence",
        [
            Topic, Subscription,
            CommandArgument.Option("after", null, "the page after this sequence (the previous page's last one)") with
                { Type = ArgumentType.Integer, Min = 0, ValueName = "sequence" },
            CommandArgument.Option("limit", 'n', "dead letters to list, 100 by default") with { Type = ArgumentType.Integer, Min = 1, Max = 1000 },
        ]) { Run = ListAsync },
        new("dlq show", "one dead letter: the message, its attempts and its last error",
            [Topic, Subscription, CommandArgument.Positional("sequence", "its sequence number") with { Type = ArgumentType.Integer, Min = 1 }])
            { Run = ShowAsync },
        new("dlq redrive", "sends dead letters back into the subscription, their attempts reset", [Topic, Subscription, Sequences, All])
            { Run = RedriveAsync, Timeout = RedriveTimeout },
        new("dlq purge", "deletes dead letters for good", [Topic, Subscription, Sequences, All]) { Run = PurgeAsync },
    ];

    private static async Task<CommandResult> ListAsync(AdminContext context, CommandArgs args)
    {
        var (topic, subscription) = await TargetAsync(context, args);
        var page = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).ListDeadLettersAsync(
            topic, subscription, args.Integer("after") ?? 0, (int)(args.Integer("limit") ?? 100), context.Cancellation));
        var rows = page.Letters.Select(l => (IReadOnlyList<string>)
        [
            l.Message.Sequence.ToString(CultureInfo.InvariantCulture), l.Attempts.ToString(CultureInfo.InvariantCulture), Reason(l.Reason),
            l.LastFailure.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Cut(l.LastError, 60),
            PayloadText.Preview(PayloadText.Show(context.System, l.Message.Payload), 40),
        ]).ToList();
        var data = new JsonObject
        {
            ["topic"] = topic,
            ["subscription"] = subscription,
            ["total"] = page.Total,
            ["nextAfter"] = page.NextAfter,
            ["letters"] = new JsonArray([.. page.Letters.Select(l => (JsonNode?)Letter(context, l))]),
        };
        var footer = $"Count: {page.Letters.Length} of {page.Total} dead letters" + (page.NextAfter is { } next ? $" (next page: --after {next})" : "");
        return new CommandResult(data,
            [ViewBlock.Of(new ViewTable(["SEQ", "ATTEMPTS", "REASON", "LAST FAILURE", "LAST ERROR", "PAYLOAD"], rows)), ViewBlock.Text([footer])]);
    }

    private static async Task<CommandResult> ShowAsync(AdminContext context, CommandArgs args)
    {
        var (topic, subscription) = await TargetAsync(context, args);
        var sequence = args.Integer("sequence")!.Value;
        var letter = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).GetDeadLetterAsync(topic, subscription, sequence, context.Cancellation))
                     ?? throw AdminException.NotFound($"no dead letter #{sequence} in {topic}/{subscription}");
        var shown = PayloadText.Show(context.System, letter.Message.Payload);
        var attributes = PayloadText.Attributes(letter.Message);
        return CommandResult.Lines(Letter(context, letter),
            $"Dead letter #{letter.Message.Sequence} of {topic}/{subscription}",
            $"Published: {letter.Message.Timestamp.ToString("O", CultureInfo.InvariantCulture)}" + (attributes.Length > 0 ? $" ({attributes})" : ""),
            $"Reason: {Reason(letter.Reason)} after {letter.Attempts} attempts",
            $"First failure: {letter.FirstFailure.ToString("O", CultureInfo.InvariantCulture)}",
            $"Last failure: {letter.LastFailure.ToString("O", CultureInfo.InvariantCulture)}",
            $"Last error: {letter.LastError}",
            $"Payload ({shown.Kind}, {shown.Bytes} bytes): {PayloadText.Preview(shown, 4000)}");
    }

    private static async Task<CommandResult> RedriveAsync(AdminContext context, CommandArgs args)
    {
        var (topic, subscription) = await TargetAsync(context, args);
        var sequences = Selection(args);
        var done = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).RedriveDeadLettersAsync(topic, subscription, sequences, context.Cancellation));
        return Outcome("Redriven", done.Redriven, done.NotFound, topic, subscription);
    }

    private static async Task<CommandResult> PurgeAsync(AdminContext context, CommandArgs args)
    {
        var (topic, subscription) = await TargetAsync(context, args);
        var sequences = Selection(args);
        var done = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).PurgeDeadLettersAsync(topic, subscription, sequences, context.Cancellation));
        return Outcome("Purged", done.Purged, done.NotFound, topic, subscription);
    }

    /// <summary>
    /// The topic must exist. The subscription need not (its dead letters outlive it, so they can still be purged), but
    /// a name that is neither a subscription nor has dead letters is a typo: 404.
    /// </summary>
    private static async Task<(string Topic, string Subscription)> TargetAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var subscription = PubSubErrors.Subscription(args);
        var info = await PubSubErrors.ExistingTopicAsync(context, topic);
        if (info.Subscriptions.Any(s => s.Name == subscription)) return (topic, subscription);
        var page = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).ListDeadLettersAsync(topic, subscription, 0, 1, context.Cancellation));
        if (page.Total > 0) return (topic, subscription);
        PubSubErrors.ExistingSubscription(info, subscription);   // throws the 404 listing the subscriptions
        return (topic, subscription);
    }

    private static IReadOnlyList<long> Selection(CommandArgs args)
    {
        var sequences = args.Integers("sequence");
        return (sequences.Count > 0, args.Flag("all")) switch
        {
            (true, false) => sequences,
            (false, true) => [],
            (true, true) => throw args.Invalid("all", "give either sequences or --all, not both"),
            _ => throw args.Invalid("sequence", "give the sequence numbers of the dead letters, or --all for every one"),
        };
    }

    private static CommandResult Outcome(string verb, int count, IReadOnlyList<long> notFound, string topic, string subscription) =>
        CommandResult.Lines(
            new JsonObject
            {
                ["topic"] = topic,
                ["subscription"] = subscription,
                [verb.ToLowerInvariant()] = count,
                ["notFound"] = new JsonArray([.. notFound.Select(n => (JsonNode?)JsonValue.Create(n))]),
            },
            $"{verb}: {count} dead {(count == 1 ? "letter" : "letters")} of {topic}/{subscription}"
            + (notFound.Count > 0 ? $" (not found: {string.Join(", ", notFound)})" : ""));

    private static JsonObject Letter(AdminContext context, DeadLetter letter) => new()
    {
        ["message"] = PayloadText.Message(context.System, letter.Message),
        ["attempts"] = letter.Attempts,
        ["reason"] = Reason(letter.Reason),
        ["firstFailure"] = letter.FirstFailure.ToString("O", CultureInfo.InvariantCulture),
        ["lastFailure"] = letter.LastFailure.ToString("O", CultureInfo.InvariantCulture),
        ["lastError"] = letter.LastError,
    };

    private static string Reason(DeadLetterReason reason) => reason switch
    {
        DeadLetterReason.MaxDeliveryAttempts => "max-attempts",
        DeadLetterReason.Unprocessable => "unprocessable",
        _ => reason.ToString(),
    };

    private static string Cut(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 3)] + "...";
    }
}
