using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using ActorPubSub.DeadLetters;
using ActorPubSub.Topics;
using Akka.Actor;
using Akka.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Serialization;

/// <summary>
/// Explicit binary serializer for every <see cref="IDeadLetterWireMessage"/>: the dead-letter protocol, the
/// journal events of a dead-letter store and its snapshot. Same format rules as <see cref="PubSubSerializer"/>
/// (whose message encoding it reuses): a manifest table with one write/read pair per type, strict reads, and a
/// format-version byte at the start of every journal type.
/// </summary>
/// <remarks>
/// Manifests are stored in journals and exchanged between nodes of different versions: never change or reuse
/// one. They only need to be unique within this serializer (the serializer id is stored beside them).
/// </remarks>
public sealed class DeadLetterSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 472;

    /// <summary>The version byte written at the start of every journal event and snapshot.</summary>
    internal const byte JournalFormatVersion = 1;

    private delegate T ReadFn<out T>(ref WireReader reader);

    private sealed record Entry(Type Type, string Manifest, Action<WireWriter, object> Write, ReadFn<object> Read)
    {
        public static Entry Of<T>(string manifest, Action<WireWriter, T> write, ReadFn<T> read) where T : class =>
            new(typeof(T), manifest, (writer, message) => write(writer, (T)message), read);
    }

    private readonly FrozenDictionary<Type, Entry> _byType;
    private readonly FrozenDictionary<string, Entry> _byManifest;

    public DeadLetterSerializer(ExtendedActorSystem system) : base(system)
    {
        Entry[] entries =
        [
            // protocol
            Entry.Of<StoreDeadLetters>("S", WriteStoreDeadLetters, ReadStoreDeadLetters),
            Entry.Of<DeadLettersStored>("SA", WriteDeadLettersStored, ReadDeadLettersStored),
            Entry.Of<DeadLetterCount>("SC", WriteDeadLetterCount, ReadDeadLetterCount),
            Entry.Of<ListDeadLetters>("L", WriteListDeadLetters, ReadListDeadLetters),
            Entry.Of<DeadLetterPage>("LP", WriteDeadLetterPage, ReadDeadLetterPage),
            Entry.Of<GetDeadLetter>("G", WriteGetDeadLetter, ReadGetDeadLetter),
            Entry.Of<DeadLetterFound>("GF", WriteDeadLetterFound, ReadDeadLetterFound),
            Entry.Of<RedriveDeadLetters>("R", WriteRedriveDeadLetters, ReadRedriveDeadLetters),
            Entry.Of<DeadLettersRedriven>("RA", WriteDeadLettersRedriven, ReadDeadLettersRedriven),
            Entry.Of<PurgeDeadLetters>("X", WritePurgeDeadLetters, ReadPurgeDeadLetters),
            Entry.Of<DeadLettersPurged>("XA", WriteDeadLettersPurged, ReadDeadLettersPurged),
            // journal events and snapshot: each starts with JournalFormatVersion
            Entry.Of<DeadLettersAdded>("jA", WriteDeadLettersAdded, ReadDeadLettersAdded),
            Entry.Of<DeadLettersRemoved>("jR", WriteDeadLettersRemoved, ReadDeadLettersRemoved),
            Entry.Of<DeadLetterSnapshot>("sD", WriteDeadLetterSnapshot, ReadDeadLetterSnapshot),
        ];

        var byType = new Dictionary<Type, Entry>();
        var byManifest = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!byType.TryAdd(entry.Type, entry))
                throw new InvalidOperationException($"DeadLetterSerializer lists {entry.Type.Name} twice.");
            if (!byManifest.TryAdd(entry.Manifest, entry))
                throw new InvalidOperationException(
                    $"DeadLetterSerializer gives manifest '{entry.Manifest}' to both {byManifest[entry.Manifest].Type.Name} and {entry.Type.Name}.");
        }
        _byType = byType.ToFrozenDictionary();
        _byManifest = byManifest.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public override int Identifier => SerializerId;

    /// <summary>The message types this serializer handles, with their manifests (for tests and diagnostics).</summary>
    internal IReadOnlyDictionary<Type, string> Manifests => _byType.ToDictionary(e => e.Key, e => e.Value.Manifest);

    public override string Manifest(object o) => EntryFor(o).Manifest;

    public override byte[] ToBinary(object obj)
    {
        var entry = EntryFor(obj);
        using var writer = new WireWriter(EstimateSize(obj));
        entry.Write(writer, obj);
        return writer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!_byManifest.TryGetValue(manifest, out var entry))
            throw new SerializationException(
                $"Manifest '{manifest}' is not a known ActorPubSub dead-letter message (known manifests: " +
                $"{string.Join(", ", _byManifest.Keys.Order(StringComparer.Ordinal))}). " +
                "It may come from a newer ActorPubSub version, or the bytes were bound to the wrong serializer.");

        var reader = new WireReader(bytes);
        try
        {
            var message = entry.Read(ref reader);
            reader.EnsureEnd();
            return message;
        }
        catch (SerializationException e)
        {
            throw new SerializationException(
                $"Cannot deserialize ActorPubSub {entry.Type.Name} (manifest '{manifest}', {bytes.Length} bytes): {e.Message}", e);
        }
    }

    private Entry EntryFor(object message) =>
        _byType.TryGetValue(message.GetType(), out var entry)
            ? entry
            : throw new ArgumentException(
                $"DeadLetterSerializer cannot serialize {message.GetType().FullName}: it implements IDeadLetterWireMessage but has " +
                "no entry in DeadLetterSerializer's manifest table. Add one with a new, never used manifest and a write/read pair.",
                nameof(message));

    // A first guess at the buffer so letter-heavy messages do not regrow it; small messages fit the default.
    private static int EstimateSize(object message)
    {
        var estimate = message switch
        {
            StoreDeadLetters m => 64L + EstimateSize(m.Letters),
            DeadLetterPage m => 64L + EstimateSize(m.Letters),
            DeadLetterFound { Letter: { } letter } => 64L + EstimateSize([letter]),
            DeadLettersAdded m => 32L + EstimateSize(m.Letters),
            DeadLetterSnapshot m => 64L + 24L * (m.Incarnations.IsDefault ? 0 : m.Incarnations.Length) + EstimateSize(m.Letters),
            _ => 128L,
        };
        return (int)Math.Min(estimate, Array.MaxLength);
    }

    private static long EstimateSize(ImmutableArray<DeadLetter> letters)
    {
        if (letters.IsDefault) return 0;
        var size = 0L;
        foreach (var l in letters)
            size += 64 + l.Message.Payload.Bytes.Length + l.Message.Payload.Manifest.Length + l.LastError.Length;
        return size;
    }

    // ---- protocol ---------------------------------------------------------------------------------------

    private static void WriteStoreDeadLetters(WireWriter w, StoreDeadLetters m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteGuid(w, m.Incarnation);
        WriteLetters(w, m.Letters);
    }

    private static StoreDeadLetters ReadStoreDeadLetters(ref WireReader r) => new(
        Topic: r.ReadString("StoreDeadLetters.Topic"),
        Subscription: r.ReadString("StoreDeadLetters.Subscription"),
        Incarnation: ReadGuid(ref r, "StoreDeadLetters.Incarnation"),
        Letters: ReadLetters(ref r, "StoreDeadLetters.Letters"));

    private static void WriteDeadLettersStored(WireWriter w, DeadLettersStored m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteGuid(w, m.Incarnation);
        w.WriteNonNegative(m.UpToId);
    }

    private static DeadLettersStored ReadDeadLettersStored(ref WireReader r) => new(
        Topic: r.ReadString("DeadLettersStored.Topic"),
        Subscription: r.ReadString("DeadLettersStored.Subscription"),
        Incarnation: ReadGuid(ref r, "DeadLettersStored.Incarnation"),
        UpToId: r.ReadNonNegativeInt64("DeadLettersStored.UpToId"));

    private static void WriteDeadLetterCount(WireWriter w, DeadLetterCount m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Count);
    }

    private static DeadLetterCount ReadDeadLetterCount(ref WireReader r) => new(
        Topic: r.ReadString("DeadLetterCount.Topic"),
        Subscription: r.ReadString("DeadLetterCount.Subscription"),
        Count: r.ReadNonNegativeInt32("DeadLetterCount.Count"));

    // AfterSequence, Limit and the sequences of queries are zigzag varints: out-of-range values must reach the
    // store unchanged, so it can refuse them with a reason instead of the wire failing them.
    private static void WriteListDeadLetters(WireWriter w, ListDeadLetters m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteVarInt64(m.AfterSequence);
        w.WriteVarInt32(m.Limit);
    }

    private static ListDeadLetters ReadListDeadLetters(ref WireReader r) => new(
        Topic: r.ReadString("ListDeadLetters.Topic"),
        Subscription: r.ReadString("ListDeadLetters.Subscription"),
        AfterSequence: r.ReadVarInt64("ListDeadLetters.AfterSequence"),
        Limit: r.ReadVarInt32("ListDeadLetters.Limit"));

    private static void WriteDeadLetterPage(WireWriter w, DeadLetterPage m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteLetters(w, m.Letters);
        w.WriteNonNegative(m.Total);
        w.WriteBool(m.NextAfter.HasValue);
        if (m.NextAfter is { } next) w.WriteVarInt64(next);
    }

    private static DeadLetterPage ReadDeadLetterPage(ref WireReader r) => new(
        Topic: r.ReadString("DeadLetterPage.Topic"),
        Subscription: r.ReadString("DeadLetterPage.Subscription"),
        Letters: ReadLetters(ref r, "DeadLetterPage.Letters"),
        Total: r.ReadNonNegativeInt32("DeadLetterPage.Total"),
        NextAfter: r.ReadBool("DeadLetterPage.NextAfter") ? r.ReadVarInt64("DeadLetterPage.NextAfter") : null);

    private static void WriteGetDeadLetter(WireWriter w, GetDeadLetter m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteVarInt64(m.Sequence);
    }

    private static GetDeadLetter ReadGetDeadLetter(ref WireReader r) => new(
        Topic: r.ReadString("GetDeadLetter.Topic"),
        Subscription: r.ReadString("GetDeadLetter.Subscription"),
        Sequence: r.ReadVarInt64("GetDeadLetter.Sequence"));

    private static void WriteDeadLetterFound(WireWriter w, DeadLetterFound m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteVarInt64(m.Sequence);
        // none or one letter, as a letter array (which carries its count)
        WriteLetters(w, m.Letter is null ? [] : [m.Letter]);
    }

    private static DeadLetterFound ReadDeadLetterFound(ref WireReader r)
    {
        var topic = r.ReadString("DeadLetterFound.Topic");
        var subscription = r.ReadString("DeadLetterFound.Subscription");
        var sequence = r.ReadVarInt64("DeadLetterFound.Sequence");
        var offset = r.Position;
        var letters = ReadLetters(ref r, "DeadLetterFound.Letter");
        if (letters.Length > 1)
            throw r.Malformed("DeadLetterFound.Letter", offset, $"it holds {letters.Length} letters, at most 1 is allowed");
        return new DeadLetterFound(topic, subscription, sequence, letters.Length == 0 ? null : letters[0]);
    }

    private static void WriteRedriveDeadLetters(WireWriter w, RedriveDeadLetters m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteInt64ArrayDelta(m.Sequences);
    }

    private static RedriveDeadLetters ReadRedriveDeadLetters(ref WireReader r) => new(
        Topic: r.ReadString("RedriveDeadLetters.Topic"),
        Subscription: r.ReadString("RedriveDeadLetters.Subscription"),
        Sequences: r.ReadInt64ArrayDelta("RedriveDeadLetters.Sequences"));

    private static void WriteDeadLettersRedriven(WireWriter w, DeadLettersRedriven m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Redriven);
        w.WriteInt64ArrayDelta(m.NotFound);
    }

    private static DeadLettersRedriven ReadDeadLettersRedriven(ref WireReader r) => new(
        Topic: r.ReadString("DeadLettersRedriven.Topic"),
        Subscription: r.ReadString("DeadLettersRedriven.Subscription"),
        Redriven: r.ReadNonNegativeInt32("DeadLettersRedriven.Redriven"),
        NotFound: r.ReadInt64ArrayDelta("DeadLettersRedriven.NotFound"));

    private static void WritePurgeDeadLetters(WireWriter w, PurgeDeadLetters m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteInt64ArrayDelta(m.Sequences);
    }

    private static PurgeDeadLetters ReadPurgeDeadLetters(ref WireReader r) => new(
        Topic: r.ReadString("PurgeDeadLetters.Topic"),
        Subscription: r.ReadString("PurgeDeadLetters.Subscription"),
        Sequences: r.ReadInt64ArrayDelta("PurgeDeadLetters.Sequences"));

    private static void WriteDeadLettersPurged(WireWriter w, DeadLettersPurged m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Purged);
        w.WriteInt64ArrayDelta(m.NotFound);
    }

    private static DeadLettersPurged ReadDeadLettersPurged(ref WireReader r) => new(
        Topic: r.ReadString("DeadLettersPurged.Topic"),
        Subscription: r.ReadString("DeadLettersPurged.Subscription"),
        Purged: r.ReadNonNegativeInt32("DeadLettersPurged.Purged"),
        NotFound: r.ReadInt64ArrayDelta("DeadLettersPurged.NotFound"));

    // ---- journal events and snapshot --------------------------------------------------------------------

    private static void WriteDeadLettersAdded(WireWriter w, DeadLettersAdded m)
    {
        w.WriteByte(JournalFormatVersion);
        WriteGuid(w, m.Incarnation);
        WriteLetters(w, m.Letters);
    }

    private static DeadLettersAdded ReadDeadLettersAdded(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new DeadLettersAdded(
            Incarnation: ReadGuid(ref r, "DeadLettersAdded.Incarnation"),
            Letters: ReadLetters(ref r, "DeadLettersAdded.Letters"));
    }

    private static void WriteDeadLettersRemoved(WireWriter w, DeadLettersRemoved m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteInt64ArrayDelta(m.Sequences);
        w.WriteNonNegative((int)m.Cause);
    }

    private static DeadLettersRemoved ReadDeadLettersRemoved(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new DeadLettersRemoved(
            Sequences: r.ReadInt64ArrayDelta("DeadLettersRemoved.Sequences"),
            Cause: (DeadLetterRemoval)r.ReadNonNegativeInt32("DeadLettersRemoved.Cause"));
    }

    private static void WriteDeadLetterSnapshot(WireWriter w, DeadLetterSnapshot m)
    {
        w.WriteByte(JournalFormatVersion);
        var incarnations = m.Incarnations.IsDefault ? [] : m.Incarnations;
        w.WriteVarUInt32((uint)incarnations.Length);
        foreach (var incarnation in incarnations)
        {
            WriteGuid(w, incarnation.Incarnation);
            w.WriteNonNegative(incarnation.HighestId);
        }
        WriteLetters(w, m.Letters);
    }

    private static DeadLetterSnapshot ReadDeadLetterSnapshot(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        // an incarnation is a 16-byte id and at least one byte of highest id
        var count = r.ReadCount("DeadLetterSnapshot.Incarnations", minBytesPerItem: 17);
        var incarnations = count == 0 ? [] : new DeadLetterIncarnation[count];
        for (var i = 0; i < incarnations.Length; i++)
            incarnations[i] = new DeadLetterIncarnation(
                Incarnation: ReadGuid(ref r, "DeadLetterIncarnation.Incarnation"),
                HighestId: r.ReadNonNegativeInt64("DeadLetterIncarnation.HighestId"));
        return new DeadLetterSnapshot(
            ImmutableCollectionsMarshal.AsImmutableArray(incarnations),
            ReadLetters(ref r, "DeadLetterSnapshot.Letters"));
    }

    private static void ReadJournalFormatVersion(ref WireReader r)
    {
        var offset = r.Position;
        var version = r.ReadByte("the journal format version");
        if (version != JournalFormatVersion)
            throw r.Malformed("the journal format version", offset,
                $"it is version {version}, but this ActorPubSub build reads only version {JournalFormatVersion}; the event was " +
                "probably stored by a newer ActorPubSub, so upgrade this node before it recovers that dead-letter store");
    }

    // ---- nested types -----------------------------------------------------------------------------------

    /// <summary>
    /// Letters: their messages first, in <see cref="PubSubSerializer.WriteMessages"/>'s encoding (which carries the
    /// count and writes sequences and timestamps as differences), then the rest of each letter in the same order.
    /// Ids are differences from the id before: the letters of a batch are numbered consecutively.
    /// </summary>
    private static void WriteLetters(WireWriter w, ImmutableArray<DeadLetter> letters)
    {
        if (letters.IsDefaultOrEmpty)
        {
            PubSubSerializer.WriteMessages(w, []);
            return;
        }
        var messages = new TopicMessage[letters.Length];
        for (var i = 0; i < messages.Length; i++) messages[i] = letters[i].Message;
        PubSubSerializer.WriteMessages(w, ImmutableCollectionsMarshal.AsImmutableArray(messages));
        var previousId = 0L;
        foreach (var letter in letters)
        {
            w.WriteVarInt64(unchecked(letter.Id - previousId));
            previousId = letter.Id;
            w.WriteNonNegative(letter.Attempts);
            w.WriteDateTime(letter.FirstFailure);
            w.WriteDateTime(letter.LastFailure);
            w.WriteString(letter.LastError);
            // passed through unchecked on read: a reason added by a newer node arrives unchanged
            w.WriteNonNegative((int)letter.Reason);
        }
    }

    private static ImmutableArray<DeadLetter> ReadLetters(ref WireReader r, string field)
    {
        var messages = PubSubSerializer.ReadMessages(ref r, field);
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
    private static void WriteGuid(WireWriter w, Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes);
        w.WriteFixedInt64(BinaryPrimitives.ReadInt64LittleEndian(bytes));
        w.WriteFixedInt64(BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]));
    }

    private static Guid ReadGuid(ref WireReader r, string field)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, r.ReadFixedInt64(field));
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], r.ReadFixedInt64(field));
        return new Guid(bytes);
    }
}
