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
        ["retention"] = Retention(info.Retention),
        ["limits"] = info.Limits is null ? null : Limits(info.Limits),
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
        // Messages the topic's limits dropped before this subscription acknowledged them.
        ["dropped"] = s.Dropped,
        // Transient messages dropped for it since its topic started (its consumers had no room, the topic's wait full).
        ["transientDropped"] = s.TransientDropped,
        // Transient messages waiting at the topic for room at its consumers now (bounded by the topic's transient settings).
        ["transientWaiting"] = s.TransientWaiting,
    };

    public static JsonObject Retention(TopicRetention retention) => new()
    {
        ["maxAge"] = retention.MaxAge.ToString("c", CultureInfo.InvariantCulture),
        ["maxMessages"] = retention.MaxMessages,
    };

    /// <summary>The limits in effect; 0 is no limit.</summary>
    public static JsonObject Limits(TopicLimits limits) => new()
    {
        ["maxBytes"] = limits.MaxBytes,
        ["maxMessages"] = limits.MaxMessages,
        ["maxAge"] = limits.MaxAge.ToString("c", CultureInfo.InvariantCulture),
        ["whenFull"] = LimitArguments.Name(limits.WhenFull),
    };

    /// <summary>"max-retained-bytes 10 GiB, max-retained-messages none, max-retained-age 7d, when-full drop-oldest".</summary>
    public static string DescribeLimits(TopicLimits limits) =>
        $"max-retained-bytes {(limits.MaxBytes == 0 ? "none" : Bytes(limits.MaxBytes))}, " +
        $"max-retained-messages {(limits.MaxMessages == 0 ? "none" : Number(limits.MaxMessages))}, " +
        $"max-retained-age {(limits.MaxAge == TimeSpan.Zero ? "none" : Age(limits.MaxAge))}, when-full {LimitArguments.Name(limits.WhenFull)}";

    /// <summary>A table cell: "50 msgs, 10 GiB, 7d, drop-oldest"; "none" without limits; "?" from a node that does not report them.</summary>
    public static string LimitsCell(TopicLimits? limits)
    {
        if (limits is null) return "?";
        List<string> parts = [];
        if (limits.MaxMessages > 0) parts.Add($"{Number(limits.MaxMessages)} msgs");
        if (limits.MaxBytes > 0) parts.Add(Bytes(limits.MaxBytes));
        if (limits.MaxAge > TimeSpan.Zero) parts.Add(Age(limits.MaxAge));
        if (limits.MaxMessages > 0 || limits.MaxBytes > 0) parts.Add(LimitArguments.Name(limits.WhenFull));
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>"10 GiB", "1.5 MiB", "300 B".</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(value == Math.Floor(value) ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>A limit's age in its largest whole unit: "7d", "12h", "30m", else as <see cref="Duration"/>.</summary>
    public static string Age(TimeSpan t) =>
        t.Ticks % TimeSpan.TicksPerDay == 0 ? $"{t.Days}d"
        : t.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)t.TotalHours}h"
        : t.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)t.TotalMinutes}m"
        : Duration(t);

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The lag in time for tables: "0s" when nothing is pending.</summary>
    public static string LagAge(SubscriptionInfo s) => Duration(TimeSpan.FromSeconds(Math.Round(s.OldestUnackedAge.TotalSeconds, 1)));

    public static string Duration(TimeSpan t) => t.TotalSeconds < 60
        ? $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : t.ToString(t.TotalDays >= 1 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
