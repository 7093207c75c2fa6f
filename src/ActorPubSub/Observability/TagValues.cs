using System.Collections.Concurrent;

namespace ActorPubSub.Observability;

/// <summary>
/// The cardinality cap of the topic and subscription tags: the first <see cref="Limit"/> distinct topics (and
/// (topic, subscription) pairs) keep their names, later ones become <see cref="InstrumentNames.OtherTagValue"/>.
/// Asked once per topic or subscription start, never per message.
/// </summary>
internal static class TagValues
{
    private static readonly ConcurrentDictionary<string, byte> Topics = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string, string), byte> Subscriptions = new();

    public static volatile int Limit = 1000;

    public static string Topic(string topic) => Admit(Topics, topic) ? topic : InstrumentNames.OtherTagValue;

    public static string Subscription(string topic, string subscription) =>
        Admit(Subscriptions, (topic, subscription)) ? subscription : InstrumentNames.OtherTagValue;

    // Two topics starting at once may both pass the count check: the cap may be passed by a few, never without end.
    private static bool Admit<TKey>(ConcurrentDictionary<TKey, byte> seen, TKey key) where TKey : notnull =>
        seen.ContainsKey(key) || (seen.Count < Limit && seen.TryAdd(key, 0)) || seen.ContainsKey(key);
}
