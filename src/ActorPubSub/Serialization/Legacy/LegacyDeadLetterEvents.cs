using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using ActorPubSub.DeadLetters;
using ActorPubSub.Messages;
using static ActorPubSub.Serialization.Legacy.LegacyFormat;

namespace ActorPubSub.Serialization.Legacy;

/// <summary>
/// Reads the dead-letter journal events and snapshots stored before protobuf (serializer 472, format version 1), so
/// dead-letter stores persisted by older versions recover. Read-only: nothing writes this format any more.
/// </summary>
internal static class LegacyDeadLetterEvents
{
    /// <summary>The manifests of the stored dead-letter types in the legacy format. Never reuse one.</summary>
    public static IEnumerable<ManifestEntry> Entries =>
    [
        Entry("jA", (ref LegacyWireReader r) => new DeadLettersAdded(
            Incarnation: ReadGuid(ref r, "DeadLettersAdded.Incarnation"),
            Letters: ReadLetters(ref r, "DeadLettersAdded.Letters"))),
        Entry("jR", (ref LegacyWireReader r) => new DeadLettersRemoved(
            Sequences: r.ReadInt64ArrayDelta("DeadLettersRemoved.Sequences"),
            Cause: (DeadLetterRemoval)r.ReadNonNegativeInt32("DeadLettersRemoved.Cause"))),
        Entry("sD", (ref LegacyWireReader r) => new DeadLetterSnapshot(
            // an incarnation is a 16-byte id and at least one byte of highest id
            ReadArray(ref r, "DeadLetterSnapshot.Incarnations", minBytesPerItem: 17, (ref LegacyWireReader i) => new DeadLetterIncarnation(
                Incarnation: ReadGuid(ref i, "DeadLetterIncarnation.Incarnation"),
                HighestId: i.ReadNonNegativeInt64("DeadLetterIncarnation.HighestId"))),
            ReadLetters(ref r, "DeadLetterSnapshot.Letters"))),
    ];

    /// <summary>Letters: their messages first, then the rest of each letter in order, ids as differences.</summary>
    private static ImmutableArray<DeadLetter> ReadLetters(ref LegacyWireReader r, string field)
    {
        var messages = ReadMessages(ref r, field);
        if (messages.IsEmpty) return [];
        var letters = new DeadLetter[messages.Length];
        var id = 0L;
        for (var i = 0; i < letters.Length; i++)
        {
            id = unchecked(id + r.ReadVarInt64("DeadLetter.Id"));
            letters[i] = new DeadLetter(
                Id: id,
                Message: messages[i],
                Attempts: r.ReadNonNegativeInt32("DeadLetter.Attempts"),
                FirstFailure: r.ReadDateTime("DeadLetter.FirstFailure"),
                LastFailure: r.ReadDateTime("DeadLetter.LastFailure"),
                LastError: r.ReadString("DeadLetter.LastError"),
                Reason: (DeadLetterReason)r.ReadNonNegativeInt32("DeadLetter.Reason"));
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(letters);
    }

    /// <summary>A Guid as its 16 bytes (<see cref="Guid.TryWriteBytes(Span{byte})"/> order), as two fixed 8-byte words.</summary>
    private static Guid ReadGuid(ref LegacyWireReader r, string field)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, r.ReadFixedInt64(field));
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], r.ReadFixedInt64(field));
        return new Guid(bytes);
    }
}
