using System.Collections.Immutable;
using System.Text;
using System.Text.Unicode;
using ActorPubSub.Messages;
using ActorPubSub.Remoting;

namespace ActorPubSub.Serialization;

/// <summary>
/// The protobuf fields the hand-written readers share (<see cref="TopicMessageBatchReader"/>, <see cref="PublishBatchReader"/>):
/// each returns null or false to make its reader step aside to the generated parser.
/// </summary>
internal static class WireFields
{
    /// <summary>Payload: serializer id (1, sint32), manifest (2), bytes (3, copied: the record keeps them).</summary>
    public static Payload? TryReadPayload(ReadOnlySpan<byte> bytes, ref ReadOnlySpan<byte> manifestBytes, ref string? previousManifest)
    {
        var serializerId = 0;
        var manifest = "";
        byte[] content = [];
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.Varint):
                    if (!reader.TryReadVarint(out var zigzag)) return null;
                    serializerId = (int)((uint)zigzag >> 1) ^ -(int)((uint)zigzag & 1);
                    break;
                case (2, WireReader.LengthDelimited):
                    // A batch's payloads mostly share one manifest (their type's): one string for them.
                    if (!TryReadString(ref reader, ref manifestBytes, ref previousManifest, out manifest)) return null;
                    break;
                case (3, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var b)) return null;
                    content = b.IsEmpty ? [] : b.ToArray();
                    break;
                case (1 or 2 or 3, _):
                    return null;
                default:
                    if (!reader.TrySkip(type)) return null;
                    break;
            }
        }
        return reader.Malformed ? null : new Payload(serializerId, manifest, content);
    }

    /// <summary>Headers: a map (field 1, entries of key 1 and value 2); a key given twice keeps its last value, as a map field does.</summary>
    public static ImmutableDictionary<string, string>? TryReadHeaders(ReadOnlySpan<byte> bytes)
    {
        var entries = ImmutableDictionary.CreateBuilder<string, string>();
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var field, out var type))
        {
            if (field == 1 && type == WireReader.LengthDelimited)
            {
                if (!reader.TryReadBytes(out var entry)) return null;
                string name = "", value = "";
                var fields = new WireReader(entry);
                while (fields.TryReadTag(out var f, out var t))
                {
                    if (f == 1 && t == WireReader.LengthDelimited) { if (!TryReadString(ref fields, out name)) return null; }
                    else if (f == 2 && t == WireReader.LengthDelimited) { if (!TryReadString(ref fields, out value)) return null; }
                    else if (f is 1 or 2 || !fields.TrySkip(t)) return null;
                }
                if (fields.Malformed) return null;
                entries[name] = value;
            }
            else if (field == 1 || !reader.TrySkip(type)) return null;
        }
        if (reader.Malformed) return null;
        return entries.Count == 0 ? ImmutableDictionary<string, string>.Empty : entries.ToImmutable();
    }

    /// <summary>A string field; false (step aside) when it is not UTF-8, which the generated parser decodes its own way.</summary>
    public static bool TryReadString(ref WireReader reader, out string value)
    {
        value = "";
        if (!reader.TryReadBytes(out var bytes) || !Utf8.IsValid(bytes)) return false;
        value = bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>The varints in a packed field: one per byte without the continuation bit.</summary>
    public static int VarintsIn(ReadOnlySpan<byte> packed)
    {
        var count = 0;
        foreach (var b in packed)
            if (b < 0x80) count++;
        return count;
    }

    /// <summary>How many times field <paramref name="field"/> occurs length-delimited (a batch's messages); -1 on malformed input.</summary>
    public static int CountLengthDelimited(ReadOnlySpan<byte> bytes, int field)
    {
        var count = 0;
        var reader = new WireReader(bytes);
        while (reader.TryReadTag(out var f, out var type))
        {
            if (f == field && type == WireReader.LengthDelimited) count++;
            if (!reader.TrySkip(type)) return -1;
        }
        return reader.Malformed ? -1 : count;
    }

    /// <summary>
    /// A string field, the same string as <paramref name="previous"/> when its bytes are <paramref name="previousBytes"/>'
    /// (a batch repeats its topic and producer id in every message: one string for all of them).
    /// </summary>
    public static bool TryReadString(ref WireReader reader, ref ReadOnlySpan<byte> previousBytes, ref string? previous, out string value)
    {
        value = "";
        if (!reader.TryReadBytes(out var bytes)) return false;
        if (previous is not null && bytes.SequenceEqual(previousBytes))
        {
            value = previous;
            return true;
        }
        if (!Utf8.IsValid(bytes)) return false;
        value = bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
        previousBytes = bytes;
        previous = value;
        return true;
    }
}
