using System.Collections.Concurrent;

namespace ActorPubSub.Observability;

/// <summary>
/// The cardinality cap of the topic and subscription tags: the first <see cref="Limit"/> distinct topics (and
/// (topic, subscription) pairs) keep their names, later ones become <see cref="InstrumentNames.OtherTagValue"/>.
/// Asked once per topic or subscription start, never per message. <see cref="Shared"/> is the process's.
/// </summary>
internal sealed class TagValues(int limit)
{
    private readonly ConcurrentDictionary<string, byte> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), byte> _subscriptions = new();
    private volatile int _limit = limit;

    public static TagValues Shared { get; } = new(1000);

    public int Limit
    {
        get => _limit;
        set => _limit = value;
    }

    public string Topic(string topic) => Admit(_topics, topic) ? topic : InstrumentNames.OtherTagValue;

    public string Subscription(string topic, string subscription) =>
        Admit(_subscriptions, (topic, subscription)) ? subscription : InstrumentNames.OtherTagValue;

    // Two topics starting at once may both pass the count check: the cap may be passed by a few, never without end.
    private bool Admit<TKey>(ConcurrentDictionary<TKey, byte> seen, TKey key) where TKey : notnull =>
        seen.ContainsKey(key) || (seen.Count < _limit && seen.TryAdd(key, 0)) || seen.ContainsKey(key);
}
