using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary><c>pubsub topics</c>, <c>topic</c>, <c>subscriptions</c> and <c>lag</c>: the state of topics and their subscriptions.</summary>
internal static class TopicCommands
{
    /// <summary>Listings ask up to 1,000 topics, 8 at a time, each within 5 s.</summary>
    public static readonly TimeSpan ListingTimeout = TimeSpan.FromSeconds(90);

    public static async Task<CommandResult> TopicsAsync(AdminContext context, CommandArgs args)
    {
        var page = await TopicPaging.PageAsync(context, args);
        var rows = await TopicSurvey.SurveyAsync(context, page.Topics);
        var table = rows.Select(r => r.Info is { } i
            ? (IReadOnlyList<string>)[r.Topic, TopicJson.Number(i.LastSequence), i.Subscriptions.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), TopicJson.Number(i.RetainedMessages), TopicJson.LimitsCell(i.Limits), i.Node]
            : [r.Topic, "?", "?", "?", "?", r.Error ?? ""]).ToList();
        var data = TopicPaging.Json(page);
        data["topics"] = new JsonArray([.. rows.Select(r => (JsonNode?)(r.Info is { } i ? Summary(i) : new JsonObject { ["topic"] = r.Topic, ["error"] = r.Error }))]);
        return new CommandResult(data,
            [ViewBlock.Of(new ViewTable(["TOPIC", "LAST SEQ", "SUBSCRIPTIONS", "RETAINED", "LIMITS", "NODE"], table)), ViewBlock.Text([TopicPaging.Footer(page)])]);
    }

    public static async Task<CommandResult> TopicAsync(AdminContext context, CommandArgs args)
    {
        var info = await PubSubErrors.ExistingTopicAsync(context, PubSubErrors.Topic(args));
        var retention = info.Retention.KeepsAcked
            ? $"acknowledged messages kept {TopicJson.Duration(info.Retention.MaxAge)} / {TopicJson.Number(info.Retention.MaxMessages)} messages"
            : "acknowledged messages dropped at once";
        var lines = new[]
        {
            $"Topic: {info.Topic}",
            $"Node: {info.Node}",
            $"Last sequence: {TopicJson.Number(info.LastSequence)}",
            $"Retained: {TopicJson.Number(info.RetainedMessages)} messages ({TopicJson.Number(info.RetainedBytes)} bytes)"
                + (info.RetainedMessages > 0 ? $", from #{info.FirstRetained}" : ""),
            $"Retention: {retention}",
            $"Limits: {(info.Limits is { } limits ? TopicJson.DescribeLimits(limits) : "not reported by the node hosting the topic")}",
            $"Subscriptions: {info.Subscriptions.Length}",
        };
        var table = info.Subscriptions.Select(s => (IReadOnlyList<string>)
        [
            s.Name, TopicJson.Number(s.Watermark), TopicJson.Number(s.Pending), TopicJson.LagAge(s), TopicJson.Number(s.InFlight), TopicJson.Number(s.Consumers),
            TopicJson.Duration(s.AckDeadline), TopicJson.Number(s.MaxDeliveryAttempts), s.OrderedByKey ? "yes" : "no", TopicJson.Number(s.Dropped), s.Filter ?? "",
        ]).ToList();
        IReadOnlyList<ViewBlock> view = table.Count == 0
            ? [ViewBlock.Text(lines)]
            : [ViewBlock.Text(lines), ViewBlock.Of(new ViewTable(
                ["SUBSCRIPTION", "WATERMARK", "LAG", "LAG AGE", "IN-FLIGHT", "CONSUMERS", "ACK DEADLINE", "MAX ATTEMPTS", "ORDERED", "DROPPED", "FILTER"], table))];
        return new CommandResult(TopicJson.Topic(info), view);
    }

    public static async Task<CommandResult> SubscriptionsAsync(AdminContext context, CommandArgs args)
    {
        if (args.String("topic") is not null)
        {
            var info = await PubSubErrors.ExistingTopicAsync(context, PubSubErrors.Topic(args));
            var subscriptions = info.Subscriptions.Select(s => (info, s)).ToList();
            return SubscriptionTable(subscriptions, new JsonObject(), $"Count: {TopicPaging.Plural(subscriptions.Count, "subscription")}");
        }
        var page = await TopicPaging.PageAsync(context, args);
        var rows = await TopicSurvey.SurveyAsync(context, page.Topics);
        var all = rows.Where(r => r.Info is not null).SelectMany(r => r.Info!.Subscriptions.Select(s => (r.Info!, s))).ToList();
        return SubscriptionTable(all, TopicPaging.Json(page), TopicPaging.Footer(page, TopicPaging.Plural(all.Count, "subscription")), Unanswered(rows));
    }

    public static async Task<CommandResult> LagAsync(AdminContext context, CommandArgs args)
    {
        var page = await TopicPaging.PageAsync(context, args);
        var rows = await TopicSurvey.SurveyAsync(context, page.Topics);
        var all = rows.Where(r => r.Info is not null)
            .SelectMany(r => r.Info!.Subscriptions.Select(s => (Info: r.Info!, Subscription: s)))
            .OrderByDescending(x => x.Subscription.Pending)
            .ThenByDescending(x => x.Subscription.OldestUnackedAge)
            .ThenBy(x => x.Info.Topic, StringComparer.Ordinal)
            .ThenBy(x => x.Subscription.Name, StringComparer.Ordinal)
            .ToList();
        var table = all.Select(x => (IReadOnlyList<string>)
        [
            x.Info.Topic, x.Subscription.Name, TopicJson.Number(x.Subscription.Pending), TopicJson.LagAge(x.Subscription),
            TopicJson.Number(x.Subscription.InFlight), TopicJson.Number(x.Subscription.Consumers), TopicJson.Number(x.Subscription.Watermark),
            TopicJson.Number(x.Info.LastSequence), TopicJson.Number(x.Subscription.Dropped),
        ]).ToList();
        var data = TopicPaging.Json(page);
        data["subscriptions"] = new JsonArray([.. all.Select(x => (JsonNode?)TopicJson.Subscription(x.Info, x.Subscription))]);
        data["totalLag"] = all.Sum(x => x.Subscription.Pending);
        var footer = TopicPaging.Footer(page, TopicPaging.Plural(all.Count, "subscription"));
        return new CommandResult(data,
        [
            ViewBlock.Of(new ViewTable(["TOPIC", "SUBSCRIPTION", "LAG", "LAG AGE", "IN-FLIGHT", "CONSUMERS", "WATERMARK", "LAST SEQ", "DROPPED"], table)),
            ViewBlock.Text([footer, $"Total lag: {TopicJson.Number(all.Sum(x => x.Subscription.Pending))}", .. Unanswered(rows)]),
        ]);
    }

    private static CommandResult SubscriptionTable(IReadOnlyList<(TopicInfo Info, SubscriptionInfo Subscription)> all, JsonObject data,
        string footer, IEnumerable<string>? notes = null)
    {
        var table = all.Select(x => (IReadOnlyList<string>)
        [
            x.Info.Topic, x.Subscription.Name, TopicJson.Number(x.Subscription.Watermark), TopicJson.Number(x.Subscription.Pending),
            TopicJson.LagAge(x.Subscription), TopicJson.Number(x.Subscription.InFlight), TopicJson.Number(x.Subscription.Consumers),
            x.Subscription.DeadLetters is { } dead ? TopicJson.Number(dead) : "-",   // "-": the store has not reported (none dead-lettered since the topic started)
            TopicJson.Number(x.Subscription.Dropped), TopicJson.Number(x.Subscription.TransientDropped),
            TopicJson.Number(x.Subscription.TransientWaiting),
        ]).ToList();
        data["subscriptions"] = new JsonArray([.. all.Select(x => (JsonNode?)TopicJson.Subscription(x.Info, x.Subscription))]);
        return new CommandResult(data,
        [
            ViewBlock.Of(new ViewTable(["TOPIC", "SUBSCRIPTION", "WATERMARK", "LAG", "LAG AGE", "IN-FLIGHT", "CONSUMERS", "DEAD LETTERS", "DROPPED", "TRANSIENT DROPPED", "TRANSIENT WAITING"], table)),
            ViewBlock.Text([footer, .. notes ?? []]),
        ]);
    }

    private static JsonObject Summary(TopicInfo info) => new()
    {
        ["topic"] = info.Topic,
        ["lastSequence"] = info.LastSequence,
        ["subscriptions"] = info.Subscriptions.Length,
        ["retainedMessages"] = info.RetainedMessages,
        ["retainedBytes"] = info.RetainedBytes,
        ["limits"] = info.Limits is null ? null : TopicJson.Limits(info.Limits),
        ["node"] = info.Node,
    };

    private static IEnumerable<string> Unanswered(IReadOnlyList<TopicSurvey.Row> rows) =>
        rows.Where(r => r.Info is null).Select(r => $"Topic {r.Topic}: {r.Error}");
}
