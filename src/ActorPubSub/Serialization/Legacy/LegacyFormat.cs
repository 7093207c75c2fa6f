using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ActorPubSub.Messages;

namespace ActorPubSub.Serialization.Legacy;

/// <summary>
/// What the legacy topic and dead-letter readers share: the journal framing (a format-version byte first, every
/// byte read), arrays with their count, and the encoding of topic messages.
/// </summary>
internal static class LegacyFormat
{
    /// <summary>The version byte at the start of every stored event and snapshot of the legacy format.</summary>
    public const byte JournalFormatVersion = 1;

    public delegate T ReadFn<out T>(ref LegacyWireReader reader);

    /// <summary>A read-only manifest entry for a stored type: version byte, the fields, and nothing after them.</summary>
    public static ManifestEntry Entry<T>(string manifest, ReadFn<T> read) where T : class =>
        ManifestEntry.Legacy(manifest, bytes =>
        {
            var reader = new LegacyWireReader(bytes);
            var offset = reader.Position;
            var version = reader.ReadByte("the journal format version");
            if (version != JournalFormatVersion)
                throw reader.Malformed("the journal format version", offset,
                    $"it is version {version}, but this ActorPubSub build reads only version {JournalFormatVersion} of the " +
                    "format before protobuf; the data was not written by ActorPubSub's legacy serializer");
            var message = read(ref reader);
            reader.EnsureEnd();
            return message;
        });

    public static ImmutableArray<T> ReadArray<T>(ref LegacyWireReader r, string field, int minBytesPerItem, ReadFn<T> read)
    {
        var count = r.ReadCount(field, minBytesPerItem);
        if (count == 0) return [];
        var items = new T[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = read(ref r);
        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }

    /// <summary>Messages with sequence and timestamp as differences from the message before (wrapping).</summary>
    public static ImmutableArray<TopicMessage> ReadMessages(ref LegacyWireReader r, string field)
    {
        // the smallest message: sequence, 1-byte timestamp delta, serializer id, manifest, bytes, key, headers, id
        var count = r.ReadCount(field, minBytesPerItem: 8);
        if (count == 0) return [];
        var messages = new TopicMessage[count];
        var sequence = 0L;
        var ticks = 0L;
        for (var i = 0; i < messages.Length; i++)
        {
            sequence = unchecked(sequence + r.ReadVarInt64("TopicMessage.Sequence"));
            DateTime timestamp;
            if (i == 0)
            {
                timestamp = r.ReadDateTime("TopicMessage.Timestamp");
            }
            else
            {
                var offset = r.Position;
                timestamp = r.ToUtcDateTime(unchecked(ticks + r.ReadVarInt64("TopicMessage.Timestamp")), "TopicMessage.Timestamp", offset);
            }
            ticks = timestamp.Ticks;
            messages[i] = new TopicMessage(
                Sequence: sequence,
                Timestamp: timestamp,
                Payload: new Payload(
                    SerializerId: r.ReadVarInt32("Payload.SerializerId"),
                    Manifest: r.ReadString("Payload.Manifest"),
                    Bytes: r.ReadBytes("Payload.Bytes")),
                Key: r.ReadNullableString("TopicMessage.Key"),
                Headers: r.ReadNullableStringDictionary("TopicMessage.Headers"),
                MessageId: r.ReadNullableString("TopicMessage.MessageId"));
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(messages);
    }
}
