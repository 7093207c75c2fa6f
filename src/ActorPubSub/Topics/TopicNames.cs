using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// The grammar of topic and subscription names and the ids derived from them.
/// </summary>
/// <remarks>
/// A name starts with an ASCII letter or digit and continues with ASCII letters, digits, '.', '_' or '-';
/// topics are 1–128 characters, subscriptions 1–64. Names are case-sensitive. ':' is not allowed in either,
/// so the persistence ids built with it as separator ("topic:orders", "deadletters:orders:billing") can never
/// collide, and every name is a valid Akka actor name and fits Akka.Persistence.Sql's 255-character
/// persistence_id column.
/// </remarks>
public static class TopicNames
{
    public const int MaxTopicLength = 128;
    public const int MaxSubscriptionLength = 64;

    public const string Grammar =
        "starts with a letter or digit, then letters, digits, '.', '_' or '-' (ASCII only)";

    /// <summary>Returns null when <paramref name="topic"/> is a valid topic name, otherwise what is wrong.</summary>
    public static string? ValidateTopic(string? topic) => Validate("topic", topic, MaxTopicLength);

    /// <summary>Returns null when <paramref name="subscription"/> is valid, otherwise what is wrong.</summary>
    public static string? ValidateSubscription(string? subscription) =>
        Validate("subscription", subscription, MaxSubscriptionLength);

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule when the topic name is invalid.</summary>
    public static void EnsureTopic(string? topic, string paramName = "topic")
    {
        if (ValidateTopic(topic) is { } error) throw new ArgumentException(error, paramName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule when the subscription name is invalid.</summary>
    public static void EnsureSubscription(string? subscription, string paramName = "subscription")
    {
        if (ValidateSubscription(subscription) is { } error) throw new ArgumentException(error, paramName);
    }

    /// <summary>The persistence id of a topic's journal and snapshots.</summary>
    public static string TopicPersistenceId(string topic) => "topic:" + topic;

    private static string? Validate(string kind, string? name, int maxLength)
    {
        if (string.IsNullOrEmpty(name))
            return $"A {kind} name is required; it {Grammar}, 1-{maxLength} characters.";
        if (name.Length > maxLength)
            return $"The {kind} name is {name.Length} characters long; at most {maxLength} are allowed.";
        if (!IsLetterOrDigit(name[0]))
            return $"The {kind} name '{Printable(name)}' is invalid: it must start with an ASCII letter or digit.";
        for (var i = 1; i < name.Length; i++)
        {
            var c = name[i];
            if (!IsLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                return $"The {kind} name '{Printable(name)}' has the character '{Printable(c.ToString())}' at position {i}; " +
                       $"a {kind} name {Grammar}.";
        }
        return null;
    }

    private static bool IsLetterOrDigit(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';

    // Error messages echo the bad name; control characters are escaped so a log line stays one line.
    private static string Printable(string s) =>
        s.Any(char.IsControl) ? string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : s;
}
