using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ActorPubSub.Messages;
using ActorPubSub.Remoting;
using ActorPubSub.Topics;
using P = ActorPubSub.Serialization.Proto;
using Protocol = ActorPubSub.Serialization.TopicProtocolMapper;

namespace ActorPubSub.Serialization;

/// <summary>
/// Reads the batches of messages every delivery and transient publish carries (<see cref="Deliver"/>,
/// <see cref="PublishTransient"/>) straight from their protobuf bytes into the records, instead of through the
/// generated protobuf messages and then the mapper: per message that was a protobuf message, its payload's message and a
/// byte string on top of the record's own objects, about a quarter of what a consumer allocated per message.
/// <para>
/// The same wire format and the same records as the generated parser and <see cref="CommonMapper"/>: unknown fields are
/// skipped, missing scalars are their defaults, and a missing payload or a timestamp out of range fails alike. Anything
/// the generated parser handles in a way of its own (a singular message field given twice, which it merges; a known field
/// under another wire type; text that is not UTF-8; malformed input, for its exception) makes this reader step aside:
/// the generated parser then reads the bytes, so a record read either way is the same. (Input broken twice over, say a
/// message without payload before a malformed one, fails either way, with either one's message.)
/// </para>
/// </summary>
internal static class TopicMessageBatchReader
{
    public static object ReadDeliver(ReadOnlySpan<byte> bytes) =>
        TryReadDeliver(bytes) ?? Protocol.FromProto(P.Deliver.Parser.ParseFrom(bytes));

    public static object ReadPublishTransient(ReadOnlySpan<byte> bytes) =>
        TryReadPublishTransient(bytes) ?? Protocol.FromProto(P.PublishTransient.Parser.ParseFrom(bytes));

    /// <summary>Deliver: topic (1), subscription (2), messages (3), attempts (4, packed or not); null to step aside.</summary>
    internal static Deliver? TryReadDeliver(ReadOnlySpan<byte> bytes)
    {
        // First pass: how many messages and attempts, so each list is one array of its exact size.
        int messages = 0, attempts = 0;
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (3, WireReader.LengthDelimited):
                    messages++;
                    if (!reader.TrySkip(type)) return null;
                    break;
                case (4, WireReader.Varint):
                    attempts++;
                    if (!reader.TrySkip(type)) return null;
                    break;
                case (4, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var packed)) return null;
                    attempts += WireFields.VarintsIn(packed);
                    break;
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        if (reader.Malformed) return null;

        string topic = "", subscription = "";
        var messageArray = messages == 0 ? [] : new TopicMessage[messages];
        var attemptArray = attempts == 0 ? [] : new int[attempts];
        int m = 0, a = 0;
        ReadOnlySpan<byte> manifestBytes = default;
        string? manifest = null;
        reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out topic)) return null;
                    break;
                case (2, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out subscription)) return null;
                    break;
                case (3, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var message) || TryReadTopicMessage(message, ref manifestBytes, ref manifest) is not { } read) return null;
                    messageArray[m++] = read;
                    break;
                case (4, WireReader.Varint):
                    if (!reader.TryReadVarint(out var attempt)) return null;
                    attemptArray[a++] = (int)attempt;
                    break;
                case (4, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var packed)) return null;
                    var values = new WireReader(packed);
                    while (values.Position < packed.Length)
                    {
                        if (!values.TryReadVarint(out var value)) return null;
                        attemptArray[a++] = (int)value;
                    }
                    break;
                case (1 or 2 or 3 or 4, _):
                    return null;   // a known field under another wire type: the generated parser's to judge
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        if (reader.Malformed) return null;
        return new Deliver(topic, subscription, ImmutableCollectionsMarshal.AsImmutableArray(messageArray),
            ImmutableCollectionsMarshal.AsImmutableArray(attemptArray));
    }

    /// <summary>PublishTransient: topic (1), messages (2); null to step aside.</summary>
    internal static PublishTransient? TryReadPublishTransient(ReadOnlySpan<byte> bytes)
    {
        var messages = WireFields.CountLengthDelimited(bytes, 2);
        if (messages < 0) return null;

        var topic = "";
        var messageArray = messages == 0 ? [] : new TopicMessage[messages];
        var m = 0;
        ReadOnlySpan<byte> manifestBytes = default;
        string? manifest = null;
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out topic)) return null;
                    break;
                case (2, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var message) || TryReadTopicMessage(message, ref manifestBytes, ref manifest) is not { } read) return null;
                    messageArray[m++] = read;
                    break;
                case (1 or 2, _):
                    return null;
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        if (reader.Malformed) return null;
        return new PublishTransient(topic, ImmutableCollectionsMarshal.AsImmutableArray(messageArray));
    }

    /// <summary>
    /// TopicMessage: sequence (1), timestamp (2, sfixed64 ticks), payload (3), key (4), headers (5), message id (6), as
    /// <see cref="CommonMapper.FromProto(P.TopicMessage)"/> maps it; null to step aside.
    /// </summary>
    private static TopicMessage? TryReadTopicMessage(ReadOnlySpan<byte> bytes, ref ReadOnlySpan<byte> manifestBytes, ref string? manifest)
    {
        long sequence = 0, ticks = 0;
        Payload? payload = null;
        string? key = null, messageId = null;
        ImmutableDictionary<string, string>? headers = null;
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.Varint):
                    if (!reader.TryReadVarint(out var s)) return null;
                    sequence = (long)s;
                    break;
                case (2, WireReader.Fixed64):
                    if (!reader.TryReadFixed64(out var t)) return null;
                    ticks = (long)t;
                    break;
                case (3, WireReader.LengthDelimited):
                    // Given twice, the generated parser merges the two: its way.
                    if (payload is not null || !reader.TryReadBytes(out var p) || WireFields.TryReadPayload(p, ref manifestBytes, ref manifest) is not { } read) return null;
                    payload = read;
                    break;
                case (4, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out var k)) return null;
                    key = k;
                    break;
                case (5, WireReader.LengthDelimited):
                    if (headers is not null || !reader.TryReadBytes(out var h) || WireFields.TryReadHeaders(h) is not { } readHeaders) return null;
                    headers = readHeaders;
                    break;
                case (6, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out var id)) return null;
                    messageId = id;
                    break;
                case (1 or 2 or 3 or 4 or 5 or 6, _):
                    return null;
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        if (reader.Malformed) return null;
        return new TopicMessage(sequence, CommonMapper.UtcDateTime(ticks, "TopicMessage.timestamp"),
            CommonMapper.Required(payload, "TopicMessage.payload"), key, headers, messageId);
    }
}
