using ActorPubSub.Filters;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics;

/// <summary>
/// Checks a topic's commands (create, delete, seek, redrive, configure) and words their rejections; builds a
/// new subscription's configuration from the request and the node's defaults.
/// </summary>
internal sealed class TopicRequests(string topic, TopicSettings settings)
{
    public CommandRejected Rejected(string? subscription, string command, RejectionCode code, string reason) =>
        new(topic, subscription, command, code, reason);

    /// <summary>The command names this topic and a valid subscription name, or why not.</summary>
    public CommandRejected? Validate(string requestTopic, string subscription, string command)
    {
        if (!string.Equals(requestTopic, topic, StringComparison.Ordinal))
            return Rejected(subscription, command, RejectionCode.Invalid, $"{command} for topic '{requestTopic}' reached topic '{topic}'.");
        return TopicNames.ValidateSubscription(subscription) is { } error
            ? Rejected(subscription, command, RejectionCode.Invalid, error)
            : null;
    }

    /// <summary>The answer to a command for a subscription the topic does not have.</summary>
    public CommandRejected Unknown(string subscription, string command, bool topicExists) =>
        topicExists
            ? Rejected(subscription, command, RejectionCode.UnknownSubscription,
                $"Topic '{topic}' has no subscription '{subscription}'; create it first.")
            : Rejected(subscription, command, RejectionCode.UnknownTopic,
                $"Topic '{topic}' does not exist (it never had a message or a subscription).");

    /// <summary>Why the options of a new subscription are invalid, or null.</summary>
    public string? ValidateOptions(CreateSubscription c)
    {
        if (c.AckDeadline != TimeSpan.Zero && (c.AckDeadline < TimeSpan.FromMilliseconds(100) || c.AckDeadline > TimeSpan.FromDays(1)))
            return $"AckDeadline is {c.AckDeadline}; it must be between 100 ms and 1 day (or zero for the default {settings.DefaultAckDeadline}).";
        if (!Enum.IsDefined(c.Start))
            return $"Start position {(int)c.Start} is unknown; use Earliest or Latest.";
        if (c.MaxDeliveryAttempts is < 0 or > SubscriptionLimits.MaxDeliveryAttempts)
            return $"MaxDeliveryAttempts is {c.MaxDeliveryAttempts}; it must be between 1 and {SubscriptionLimits.MaxDeliveryAttempts} (or 0 for the default {settings.DefaultMaxDeliveryAttempts}).";
        if (c.Backoff?.Validate() is { } backoff)
            return backoff;
        if (c.Filter is not null && !HeaderFilter.TryParse(c.Filter, out _, out var filterError))
            return filterError!.Message;
        return null;
    }

    /// <summary>The first option set to something other than the existing subscription has, or null.</summary>
    public static string? Conflict(SubscriptionConfig existing, CreateSubscription c)
    {
        if (c.AckDeadline != TimeSpan.Zero && c.AckDeadline != existing.AckDeadline)
            return $"ack deadline {existing.AckDeadline}, not {c.AckDeadline}";
        if (c.MaxDeliveryAttempts != 0 && c.MaxDeliveryAttempts != existing.MaxDeliveryAttempts)
            return $"max delivery attempts {existing.MaxDeliveryAttempts}, not {c.MaxDeliveryAttempts}";
        if (c.Backoff is { } backoff && backoff != existing.Backoff)
            return $"backoff {existing.Backoff}, not {backoff}";
        if (c.OrderedByKey is { } ordered && ordered != existing.OrderedByKey)
            return ordered ? "no ordering by key" : "ordering by key";
        if (c.Filter is not null && !string.Equals(c.Filter, existing.Filter, StringComparison.Ordinal))
            return existing.Filter is null ? "no filter" : $"filter {existing.Filter}";
        return null;
    }

    /// <summary>A new subscription's configuration: unset options take the node's defaults.</summary>
    public SubscriptionConfig ConfigFor(CreateSubscription c) =>
        new(c.AckDeadline == TimeSpan.Zero ? settings.DefaultAckDeadline : c.AckDeadline,
            c.MaxDeliveryAttempts == 0 ? settings.DefaultMaxDeliveryAttempts : c.MaxDeliveryAttempts,
            c.Backoff ?? settings.DefaultBackoff,
            c.OrderedByKey ?? false,
            c.Filter,
            Guid.NewGuid());

    /// <summary>How a new subscription's configuration reads in the log.</summary>
    public static string Describe(StartPosition start, SubscriptionConfig config) =>
        $"from {start}, ack deadline {config.AckDeadline}, max attempts {config.MaxDeliveryAttempts}" +
        (config.OrderedByKey ? ", ordered by key" : "") + (config.Filter is null ? "" : $", filter {config.Filter}");

    /// <summary>The sequence a seek goes to, or why it cannot.</summary>
    /// <returns>
    /// The target sequence, or why the seek is invalid, or <c>NeedsRead</c>: a seek by time needs messages the log is
    /// reading back from the journal (ask again after the read).
    /// </returns>
    public static (long Target, string? Error, bool NeedsRead) ResolveSeek(Seek s, long watermark, MessageLog log)
    {
        var last = log.LastSequence;
        if (s.Sequence.HasValue == s.Timestamp.HasValue)
            return (0, "Seek needs exactly one of Sequence and Timestamp.", false);
        if (s.Timestamp is { } timestamp)
        {
            // The first retained message published at or after the time; the end when there is none. The chunks'
            // times narrow it to one chunk, whose messages tell the exact one.
            var utc = timestamp.ToUniversalTime();
            var from = log.FirstSequence;
            if (log.Pinned.Count == 0 || log.Pinned[^1].Timestamp < utc)
            {
                if (log.Index.FirstAtOrAfter(utc) is not { } chunk) return (last + 1, null, false);
                from = Math.Max(from, chunk.FirstSequence);
            }
            for (var seq = from; seq <= last; seq++)
            {
                if (!log.TryGet(seq, out var m)) return (0, null, true);
                if (m.Timestamp >= utc) return (seq, null, false);
            }
            return (last + 1, null, false);
        }
        var target = s.Sequence!.Value;
        if (target < 1 || target > last + 1)
            return (target, $"Sequence {target} is outside the topic: it must be between 1 and {last + 1} (the next message).", false);
        if (target <= watermark && target < log.FirstSequence)
            return (target, $"Sequence {target} is no longer retained: the oldest retained message is {log.FirstSequence}. " +
                         "Keep acknowledged messages longer with the topic's retention (ConfigureTopic).", false);
        return (target, null, false);
    }

    /// <summary>Why a redrive into this topic is invalid (a message outside its sequences or too large), or null.</summary>
    public string? ValidateRedrive(RedriveMessages r, long last)
    {
        foreach (var m in r.Messages)
        {
            if (m.Sequence >= 1 && m.Sequence <= last && m.Size <= settings.MaxMessageSize) continue;
            return $"Message {m.Sequence} cannot be redriven into topic '{topic}': sequences run from 1 to {last} and " +
                   $"messages are at most {settings.MaxMessageSize} bytes.";
        }
        return null;
    }

    /// <summary>Why a configuration change is invalid, or null.</summary>
    /// <param name="limits">The limits in effect after the change: the retention keeps at most their max messages.</param>
    public string? ValidateConfigure(ConfigureTopic c, TopicLimits limits)
    {
        if (!string.Equals(c.Topic, topic, StringComparison.Ordinal)) return $"ConfigureTopic for topic '{c.Topic}' reached topic '{topic}'.";
        if (c.Retention is null && c.Limits is null) return "ConfigureTopic needs a retention, limits, or both.";
        if (c.Limits?.Validate() is { } invalid) return $"Invalid limits for topic '{topic}': {invalid}";
        return c.Retention?.Validate((int)Math.Min(limits.MaxMessages, int.MaxValue));
    }
}
