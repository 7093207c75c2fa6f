using ActorPubSub.DeadLetters;
using ActorPubSub.Topics;
using static ActorPubSub.Serialization.CommonMapper;
using P = ActorPubSub.Serialization.Proto;

namespace ActorPubSub.Serialization;

/// <summary>The dead-letter protocol, a store's journal events and its snapshot (dead_letters.proto) &lt;-&gt; their records.</summary>
internal static class DeadLetterMapper
{
    public static P.StoreDeadLetters ToProto(StoreDeadLetters m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        Incarnation = Bytes(m.Incarnation),
        Letters = { Each(m.Letters, CommonMapper.ToProto) },
    };

    public static StoreDeadLetters FromProto(P.StoreDeadLetters p) => new(p.Topic, p.Subscription,
        Guid(p.Incarnation, "StoreDeadLetters.incarnation"), List(p.Letters, CommonMapper.FromProto));

    public static P.DeadLettersStored ToProto(DeadLettersStored m) =>
        new() { Topic = m.Topic, Subscription = m.Subscription, Incarnation = Bytes(m.Incarnation), UpToId = m.UpToId };

    public static DeadLettersStored FromProto(P.DeadLettersStored p) =>
        new(p.Topic, p.Subscription, Guid(p.Incarnation, "DeadLettersStored.incarnation"), p.UpToId);

    public static P.DeadLetterCount ToProto(DeadLetterCount m) => new() { Topic = m.Topic, Subscription = m.Subscription, Count = m.Count };

    public static DeadLetterCount FromProto(P.DeadLetterCount p) => new(p.Topic, p.Subscription, p.Count);

    public static P.ListDeadLetters ToProto(ListDeadLetters m) =>
        new() { Topic = m.Topic, Subscription = m.Subscription, AfterSequence = m.AfterSequence, Limit = m.Limit };

    public static ListDeadLetters FromProto(P.ListDeadLetters p) => new(p.Topic, p.Subscription, p.AfterSequence, p.Limit);

    public static P.DeadLetterPage ToProto(DeadLetterPage m)
    {
        var p = new P.DeadLetterPage
        {
            Topic = m.Topic,
            Subscription = m.Subscription,
            Total = m.Total,
            Letters = { Each(m.Letters, CommonMapper.ToProto) },
        };
        if (m.NextAfter is { } next) p.NextAfter = next;
        return p;
    }

    public static DeadLetterPage FromProto(P.DeadLetterPage p) =>
        new(p.Topic, p.Subscription, List(p.Letters, CommonMapper.FromProto), p.Total, p.HasNextAfter ? p.NextAfter : null);

    public static P.GetDeadLetter ToProto(GetDeadLetter m) => new() { Topic = m.Topic, Subscription = m.Subscription, Sequence = m.Sequence };

    public static GetDeadLetter FromProto(P.GetDeadLetter p) => new(p.Topic, p.Subscription, p.Sequence);

    public static P.DeadLetterFound ToProto(DeadLetterFound m) => new()
    {
        Topic = m.Topic, Subscription = m.Subscription, Sequence = m.Sequence,
        Letter = m.Letter is null ? null : CommonMapper.ToProto(m.Letter),
    };

    public static DeadLetterFound FromProto(P.DeadLetterFound p) =>
        new(p.Topic, p.Subscription, p.Sequence, p.Letter is null ? null : CommonMapper.FromProto(p.Letter));

    public static P.RedriveDeadLetters ToProto(RedriveDeadLetters m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        SequenceDeltas = { Deltas(m.Sequences) },
    };

    public static RedriveDeadLetters FromProto(P.RedriveDeadLetters p) => new(p.Topic, p.Subscription, FromDeltas(p.SequenceDeltas));

    public static P.DeadLettersRedriven ToProto(DeadLettersRedriven m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        Redriven = m.Redriven,
        NotFoundDeltas = { Deltas(m.NotFound) },
    };

    public static DeadLettersRedriven FromProto(P.DeadLettersRedriven p) =>
        new(p.Topic, p.Subscription, p.Redriven, FromDeltas(p.NotFoundDeltas));

    public static P.PurgeDeadLetters ToProto(PurgeDeadLetters m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        SequenceDeltas = { Deltas(m.Sequences) },
    };

    public static PurgeDeadLetters FromProto(P.PurgeDeadLetters p) => new(p.Topic, p.Subscription, FromDeltas(p.SequenceDeltas));

    public static P.DeadLettersPurged ToProto(DeadLettersPurged m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        Purged = m.Purged,
        NotFoundDeltas = { Deltas(m.NotFound) },
    };

    public static DeadLettersPurged FromProto(P.DeadLettersPurged p) => new(p.Topic, p.Subscription, p.Purged, FromDeltas(p.NotFoundDeltas));

    // ---- journal events and snapshot --------------------------------------------------------------------

    public static P.DeadLettersAdded ToProto(DeadLettersAdded m) => new()
    {
        Incarnation = Bytes(m.Incarnation),
        Letters = { Each(m.Letters, CommonMapper.ToProto) },
    };

    public static DeadLettersAdded FromProto(P.DeadLettersAdded p) =>
        new(Guid(p.Incarnation, "DeadLettersAdded.incarnation"), List(p.Letters, CommonMapper.FromProto));

    public static P.DeadLettersRemoved ToProto(DeadLettersRemoved m) => new() { Cause = (int)m.Cause, SequenceDeltas = { Deltas(m.Sequences) } };

    public static DeadLettersRemoved FromProto(P.DeadLettersRemoved p) => new(FromDeltas(p.SequenceDeltas), (DeadLetterRemoval)p.Cause);

    public static P.DeadLetterSnapshot ToProto(DeadLetterSnapshot m) => new()
    {
        Incarnations = { Each(m.Incarnations, i => new P.DeadLetterIncarnation { Incarnation = Bytes(i.Incarnation), HighestId = i.HighestId }) },
        Letters = { Each(m.Letters, CommonMapper.ToProto) },
        Index = { Each(m.Index, ToProto) },
    };

    public static DeadLetterSnapshot FromProto(P.DeadLetterSnapshot p) => new(
        List(p.Incarnations, i => new DeadLetterIncarnation(Guid(i.Incarnation, "DeadLetterIncarnation.incarnation"), i.HighestId)),
        List(p.Letters, CommonMapper.FromProto),
        List(p.Index, FromProto));

    private static P.DeadLetterIndexEntry ToProto(DeadLetterIndexEntry e) => new()
    {
        Sequence = e.Sequence, Id = e.Id, JournalSeqNr = e.JournalSeqNr, MessageSize = e.MessageSize, ErrorLength = e.ErrorLength,
    };

    private static DeadLetterIndexEntry FromProto(P.DeadLetterIndexEntry p) => new(p.Sequence, p.Id, p.JournalSeqNr, p.MessageSize, p.ErrorLength);
}
