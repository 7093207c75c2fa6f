using System.Globalization;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// The temporary subscriptions of <c>pubsub tail</c>: <c>pbm-tail-&lt;UTC yyyyMMddHHmmss&gt;-&lt;8 hex&gt;</c>, recognizable in
/// <c>pubsub subscriptions</c> and carrying their creation time. A tail deletes its subscription when it ends; one
/// left behind by a node that died mid-tail would keep every later message of its topic (a topic retains what a
/// subscription has not acknowledged), so each new tail of a topic first deletes those that are stale: older than
/// <see cref="StaleAfter"/> with no consumer. A live tail always has its consumer (it renews its registration every
/// few seconds and is dropped only after the consumer timeout), so it is never taken for stale.
/// </summary>
internal static class TailSubscription
{
    public const string Prefix = "pbm-tail-";
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);
    private const string TimeFormat = "yyyyMMddHHmmss";

    public static string NewName(DateTime utcNow) =>
        $"{Prefix}{utcNow.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>When the tail subscription <paramref name="name"/> was created; null for any other name.</summary>
    public static DateTime? CreatedAt(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length < Prefix.Length + TimeFormat.Length) return null;
        return DateTime.TryParseExact(name.AsSpan(Prefix.Length, TimeFormat.Length), TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created) ? created : null;
    }

    public static bool IsStale(SubscriptionInfo subscription, DateTime utcNow) =>
        subscription.Consumers == 0 && CreatedAt(subscription.Name) is { } created && utcNow - created > StaleAfter;
}
