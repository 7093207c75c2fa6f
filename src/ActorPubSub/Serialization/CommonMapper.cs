using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using Google.Protobuf;
using Google.Protobuf.Collections;
using P = ActorPubSub.Serialization.Proto;

namespace ActorPubSub.Serialization;

/// <summary>
/// Records &lt;-&gt; the messages of common.proto, and the conversions every mapper shares: times as UTC ticks,
/// Guids as 16 bytes, sequence lists as deltas, immutable arrays from and to repeated fields. Reads check what
/// protobuf cannot (a required part present, ticks in range, 16-byte Guids) and fail with a
/// <see cref="SerializationException"/> naming the field.
/// </summary>
internal static class CommonMapper
{
    // ---- scalars ----------------------------------------------------------------------------------------

    /// <summary>The ticks of <paramref name="value"/> in UTC; Unspecified is taken to already be UTC.</summary>
    public static long Ticks(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime().Ticks : value.Ticks;

    public static DateTime UtcDateTime(long ticks, string field) =>
        (ulong)ticks <= (ulong)DateTime.MaxValue.Ticks
            ? new DateTime(ticks, DateTimeKind.Utc)
            : throw Malformed(field, $"{ticks} ticks is outside the range of a DateTime");

    public static ByteString Bytes(Guid value) => UnsafeByteOperations.UnsafeWrap(value.ToByteArray());

    public static Guid Guid(ByteString bytes, string field) =>
        bytes.Length == 16 ? new Guid(bytes.Span) : throw Malformed(field, $"a Guid is 16 bytes, not {bytes.Length}");

    /// <summary>A message field the record cannot do without (protobuf itself has no required fields).</summary>
    public static T Required<T>(T? value, string field) where T : class =>
        value ?? throw Malformed(field, "it is missing");

    public static SerializationException Malformed(string field, string problem) => new($"Malformed input in {field}: {problem}.");

    // ---- lists ------------------------------------------------------------------------------------------

    /// <summary>Each item's protobuf form, for a repeated field's initializer; a default (uninitialized) array is empty.</summary>
    public static TProto[] Each<T, TProto>(ImmutableArray<T> items, Func<T, TProto> map)
    {
        if (items.IsDefaultOrEmpty) return [];
        var result = new TProto[items.Length];
        for (var i = 0; i < result.Length; i++) result[i] = map(items[i]);
        return result;
    }

    public static ImmutableArray<T> List<TProto, T>(RepeatedField<TProto> field, Func<TProto, T> map)
    {
        if (field.Count == 0) return [];
        var items = new T[field.Count];
        for (var i = 0; i < items.Length; i++) items[i] = map(field[i]);
        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }

    public static IEnumerable<int> Each(ImmutableArray<int> values) => values.IsDefault ? [] : values;

    public static ImmutableArray<int> List(RepeatedField<int> field) => field.Count == 0 ? [] : [.. field];

    /// <summary>
    /// Each value as the difference from the one before (the first from 0): ascending sequence numbers cost about a
    /// byte each however large they are. Differences wrap, so any values round-trip.
    /// </summary>
    public static long[] Deltas(ImmutableArray<long> values)
    {
        if (values.IsDefaultOrEmpty) return [];
        var deltas = new long[values.Length];
        var previous = 0L;
        for (var i = 0; i < deltas.Length; i++)
        {
            deltas[i] = unchecked(values[i] - previous);
            previous = values[i];
        }
        return deltas;
    }

    public static ImmutableArray<long> FromDeltas(RepeatedField<long> field)
    {
        if (field.Count == 0) return [];
        var values = new long[field.Count];
        var previous = 0L;
        for (var i = 0; i < values.Length; i++) values[i] = previous = unchecked(previous + field[i]);
        return ImmutableCollectionsMarshal.AsImmutableArray(values);
    }

    // ---- messages ---------------------------------------------------------------------------------------

    public static P.Payload ToProto(Payload m) => new()
    {
        SerializerId = m.SerializerId,
        Manifest = m.Manifest,
        // no copy: Payload.Bytes is never mutated, and the protobuf message lives only until it is written
        Bytes = UnsafeByteOperations.UnsafeWrap(m.Bytes),
    };

    public static Payload FromProto(P.Payload p) => new(p.SerializerId, p.Manifest, OwnedArray(p.Bytes));

    public static P.Headers? ToProto(ImmutableDictionary<string, string>? headers)
    {
        if (headers is null) return null;
        var p = new P.Headers();
        foreach (var (name, value) in headers) p.Entries.Add(name, value);
        return p;
    }

    public static ImmutableDictionary<string, string>? FromProto(P.Headers? p) =>
        p is null ? null
        : p.Entries.Count == 0 ? ImmutableDictionary<string, string>.Empty
        : ImmutableDictionary.CreateRange(p.Entries);

    public static P.TopicMessage ToProto(TopicMessage m)
    {
        var p = new P.TopicMessage
        {
            Sequence = m.Sequence,
            Timestamp = Ticks(m.Timestamp),
            Payload = ToProto(m.Payload),
            Headers = ToProto(m.Headers),
        };
        if (m.Key is not null) p.Key = m.Key;
        if (m.MessageId is not null) p.MessageId = m.MessageId;
        return p;
    }

    public static TopicMessage FromProto(P.TopicMessage p) => new(
        Sequence: p.Sequence,
        Timestamp: UtcDateTime(p.Timestamp, "TopicMessage.timestamp"),
        Payload: FromProto(Required(p.Payload, "TopicMessage.payload")),
        Key: p.HasKey ? p.Key : null,
        Headers: FromProto(p.Headers),
        MessageId: p.HasMessageId ? p.MessageId : null);

    public static P.DeadLetter ToProto(DeadLetter m) => new()
    {
        Id = m.Id,
        Message = ToProto(m.Message),
        Attempts = m.Attempts,
        FirstFailure = Ticks(m.FirstFailure),
        LastFailure = Ticks(m.LastFailure),
        LastError = m.LastError,
        Reason = (int)m.Reason,
    };

    public static DeadLetter FromProto(P.DeadLetter p) => new(
        Id: p.Id,
        Message: FromProto(Required(p.Message, "DeadLetter.message")),
        Attempts: p.Attempts,
        FirstFailure: UtcDateTime(p.FirstFailure, "DeadLetter.first_failure"),
        LastFailure: UtcDateTime(p.LastFailure, "DeadLetter.last_failure"),
        LastError: p.LastError,
        // passed through unchecked: a reason added by a newer node arrives unchanged
        Reason: (DeadLetterReason)p.Reason);

    public static P.RetryBackoff ToProto(RetryBackoff m) => new() { Min = m.Min.Ticks, Max = m.Max.Ticks, Factor = m.Factor };

    public static RetryBackoff FromProto(P.RetryBackoff p) => new(new TimeSpan(p.Min), new TimeSpan(p.Max), p.Factor);

    public static P.TopicRetention ToProto(TopicRetention m) => new() { MaxAge = m.MaxAge.Ticks, MaxMessages = m.MaxMessages };

    public static TopicRetention FromProto(P.TopicRetention p) => new(new TimeSpan(p.MaxAge), p.MaxMessages);

    public static P.TopicLimits ToProto(TopicLimits m) => new()
    {
        MaxBytes = m.MaxBytes, MaxMessages = m.MaxMessages, MaxAge = m.MaxAge.Ticks, WhenFull = (int)m.WhenFull,
    };

    public static TopicLimits FromProto(P.TopicLimits p) =>
        new(p.MaxBytes, p.MaxMessages, new TimeSpan(p.MaxAge), Enum.IsDefined((WhenFull)p.WhenFull)
            ? (WhenFull)p.WhenFull
            : throw Malformed("TopicLimits.when_full", $"{p.WhenFull} is not a known value"));

    /// <summary>
    /// The bytes of a parsed bytes field without a second copy: parsing gave the field an array of its own, exactly
    /// its length, which nothing else references once the protobuf message is dropped.
    /// </summary>
    private static byte[] OwnedArray(ByteString bytes)
    {
        if (bytes.Length == 0) return [];
        return MemoryMarshal.TryGetArray(bytes.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToByteArray();
    }
}
