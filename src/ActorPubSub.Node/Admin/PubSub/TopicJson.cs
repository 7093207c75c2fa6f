using System.Globalization;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>A topic's and a subscription's state as JSON (for <c>--json</c>) and as table cells.</summary>
internal static class TopicJson
{
    public static JsonObject Topic(TopicInfo info) => new()
    {
        ["topic"] = info.Topic,
        ["exists"] = info.Exists,
        ["lastSequence"] = info.LastSequence,
        ["firstRetained"] = info.FirstRetained,
        ["retainedMessages"] = info.RetainedMessages,
        ["retainedBytes"] = info.RetainedBytes,
        ["node"] = info.Node,
        ["retention"] = new JsonObject
        {
            ["maxAge"] = info.Retention.MaxAge.ToString("c", CultureInfo.InvariantCulture),
            ["maxMessages"] = info.Retention.MaxMessages,
        },
        ["subscriptions"] = new JsonArray([.. info.Subscriptions.Select(s => (JsonNode?)Subscription(info, s))]),
    };

    /// <param name="info">The subscription's topic: its name goes with the subscription, for listings across topics.</param>
    public static JsonObject Subscription(TopicInfo info, SubscriptionInfo s) => new()
    {
        ["topic"] = info.Topic,
        ["subscription"] = s.Name,
        ["watermark"] = s.Watermark,
        ["lag"] = s.Pending,
        // Age of the oldest unacknowledged message: lag in time (0 when nothing is pending).
        ["lagSeconds"] = Math.Round(s.OldestUnackedAge.TotalSeconds, 3),
        ["inFlight"] = s.InFlight,
        ["consumers"] = s.Consumers,
        ["deadLettering"] = s.DeadLettering,
        ["deadLetters"] = s.DeadLetters,
        ["ackDeadline"] = s.AckDeadline.ToString("c", CultureInfo.InvariantCulture),
        ["maxDeliveryAttempts"] = s.MaxDeliveryAttempts,
        ["orderedByKey"] = s.OrderedByKey,
        ["filter"] = s.Filter,
    };

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The lag in time for tables: "0s" when nothing is pending.</summary>
    public static string LagAge(SubscriptionInfo s) => Duration(TimeSpan.FromSeconds(Math.Round(s.OldestUnackedAge.TotalSeconds, 1)));

    public static string Duration(TimeSpan t) => t.TotalSeconds < 60
        ? $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : t.ToString(t.TotalDays >= 1 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
