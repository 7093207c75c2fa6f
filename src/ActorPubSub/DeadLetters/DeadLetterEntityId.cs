using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// The sharding entity id (<c>"{topic}:{subscription}"</c>) and persistence id
/// (<c>"deadletters:{topic}:{subscription}"</c>) of a subscription's dead-letter store. Neither name may contain
/// ':' (<see cref="TopicNames"/>), so the first ':' separates them and ids never collide with each other or with
/// a topic's (<c>"topic:{topic}"</c>).
/// </summary>
public static class DeadLetterEntityId
{
    /// <summary>The entity id of the store of <paramref name="subscription"/> of <paramref name="topic"/>.</summary>
    public static string Of(string topic, string subscription) => topic + ":" + subscription;

    /// <summary>The persistence id of the store's journal and snapshots.</summary>
    public static string PersistenceId(string topic, string subscription) => "deadletters:" + topic + ":" + subscription;

    /// <summary>Splits an entity id made by <see cref="Of"/>.</summary>
    /// <exception cref="FormatException">The id is not two valid names joined by ':'.</exception>
    public static (string Topic, string Subscription) Parse(string entityId)
    {
        if (TryParse(entityId, out var topic, out var subscription, out var error)) return (topic, subscription);
        throw new FormatException($"'{entityId}' is not a dead-letter entity id (\"topic:subscription\"): {error}");
    }

    /// <summary>Like <see cref="Parse"/>, returning false with what is wrong instead of throwing.</summary>
    public static bool TryParse(string? entityId, out string topic, out string subscription, out string? error)
    {
        topic = subscription = "";
        var colon = entityId?.IndexOf(':') ?? -1;
        if (entityId is null || colon < 0)
        {
            error = "it has no ':' between the topic and the subscription.";
            return false;
        }
        var t = entityId[..colon];
        var s = entityId[(colon + 1)..];
        error = TopicNames.ValidateTopic(t) ?? TopicNames.ValidateSubscription(s);
        if (error is not null) return false;
        (topic, subscription) = (t, s);
        return true;
    }
}
