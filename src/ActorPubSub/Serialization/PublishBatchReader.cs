using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ActorPubSub.Remoting;
using ActorPubSub.Topics;
using P = ActorPubSub.Serialization.Proto;
using Protocol = ActorPubSub.Serialization.TopicProtocolMapper;

namespace ActorPubSub.Serialization;

/// <summary>
/// Reads a client's batch of durable publishes (<see cref="PublishBatch"/>) straight from its protobuf bytes into the
/// records, as <see cref="TopicMessageBatchReader"/> reads deliveries: per publish the generated parser made a protobuf
/// message, its payload's message, a byte string, and the topic's name and the producer id again, which every publish
/// of a batch repeats. Here a batch's repeated names are one string each. Same format, same records, same failures as
/// the generated parser and the mapper; it steps aside to the generated parser in the same cases.
/// </summary>
internal static class PublishBatchReader
{
    public static object Read(ReadOnlySpan<byte> bytes) =>
        TryRead(bytes) ?? Protocol.FromProto(P.PublishBatch.Parser.ParseFrom(bytes));

    /// <summary>PublishBatch: topic (1), publishes (2), compact receipts (3); null to step aside.</summary>
    internal static PublishBatch? TryRead(ReadOnlySpan<byte> bytes)
    {
        var count = WireFields.CountLengthDelimited(bytes, 2);
        if (count < 0) return null;

        var publishes = count == 0 ? [] : new Publish[count];
        var i = 0;
        var compact = false;
        var batchTopic = "";
        // The names every publish repeats, read once (the batch's topic first: each publish names it again).
        ReadOnlySpan<byte> topicBytes = default, producerBytes = default, manifestBytes = default;
        string? topic = null, producer = null, manifest = null;
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, ref topicBytes, ref topic, out batchTopic)) return null;
                    break;
                case (2, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var publish)) return null;
                    var read = TryReadPublish(publish, topicBytes, topic, ref producerBytes, ref producer, ref manifestBytes, ref manifest);
                    if (read is null) return null;
                    publishes[i++] = read;
                    break;
                case (3, WireReader.Varint):
                    if (!reader.TryReadVarint(out var flag)) return null;
                    compact = flag != 0;
                    break;
                case (1 or 2 or 3, _):
                    return null;
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        if (reader.Malformed) return null;
        return new PublishBatch(batchTopic, ImmutableCollectionsMarshal.AsImmutableArray(publishes)) { CompactReceipts = compact };
    }

    /// <summary>
    /// Publish: topic (1), payload (2), key (3), headers (4), message id (5), producer id (6), producer seq (7) and floor
    /// (8), as <see cref="Protocol.FromProto(P.Publish)"/> maps it; null to step aside.
    /// </summary>
    /// <param name="topicBytes">The batch's topic, compared with (not replaced by) each publish's: a publish of another topic does not end the sharing.</param>
    private static Publish? TryReadPublish(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> topicBytes, string? topic,
        ref ReadOnlySpan<byte> producerBytes, ref string? producer, ref ReadOnlySpan<byte> manifestBytes, ref string? manifest)
    {
        var publishTopic = "";
        Messages.Payload? payload = null;
        string? key = null, messageId = null, producerId = null;
        ImmutableDictionary<string, string>? headers = null;
        long seq = 0, floor = 0;
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, ref topicBytes, ref topic, out publishTopic)) return null;
                    break;
                case (2, WireReader.LengthDelimited):
                    if (payload is not null || !reader.TryReadBytes(out var p) || WireFields.TryReadPayload(p, ref manifestBytes, ref manifest) is not { } read) return null;
                    payload = read;
                    break;
                case (3, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out var k)) return null;
                    key = k;
                    break;
                case (4, WireReader.LengthDelimited):
                    if (headers is not null || !reader.TryReadBytes(out var h) || WireFields.TryReadHeaders(h) is not { } readHeaders) return null;
                    headers = readHeaders;
                    break;
                case (5, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, out var id)) return null;
                    messageId = id;
                    break;
                case (6, WireReader.LengthDelimited):
                    if (!WireFields.TryReadString(ref reader, ref producerBytes, ref producer, out var pid)) return null;
                    producerId = pid;
                    break;
                case (7, WireReader.Varint):
                    if (!reader.TryReadVarint(out var s)) return null;
                    seq = (long)s;
                    break;
                case (8, WireReader.Varint):
                    if (!reader.TryReadVarint(out var f)) return null;
                    floor = (long)f;
                    break;
                case (>= 1 and <= 8, _):
                    return null;
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        if (reader.Malformed) return null;
        return new Publish(publishTopic, CommonMapper.Required(payload, "Publish.payload"), key, headers, messageId, producerId, seq, floor);
    }
}
