using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using Akka.Actor;
using Akka.Serialization;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Serialization;

/// <summary>
/// Explicit binary serializer for every <see cref="IPubSubWireMessage"/>: a manifest table with one
/// write/read method pair per type, built on <see cref="WireWriter"/> and <see cref="WireReader"/>.
/// </summary>
/// <remarks>
/// <para>
/// Manifests are stored in journals and exchanged between nodes of different versions: never change or
/// reuse one. A changed wire shape gets a new manifest (old readers then fail loudly on an unknown manifest
/// instead of misreading). The journal types (<see cref="ITopicEvent"/>s and <see cref="TopicSnapshot"/>)
/// also begin with a format-version byte, because stored events must stay readable after the format moves on.
/// </para>
/// <para>
/// Read methods construct records with named arguments written in wire order: C# evaluates arguments in the
/// order they are written, so the order of the arguments is the order of the reads.
/// </para>
/// </remarks>
public sealed partial class PubSubSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 471;

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

    public PubSubSerializer(ExtendedActorSystem system) : base(system)
    {
        Entry[] entries =
        [
            // topic protocol
            Entry.Of<Publish>("P", WritePublish, ReadPublish),
            Entry.Of<PublishReceipt>("PR", WritePublishReceipt, ReadPublishReceipt),
            Entry.Of<PublishBatch>("PB", WritePublishBatch, ReadPublishBatch),
            Entry.Of<PublishReceipts>("PRs", WritePublishReceipts, ReadPublishReceipts),
            Entry.Of<PublishRejected>("PX", WritePublishRejected, ReadPublishRejected),
            Entry.Of<CommandRejected>("CX", WriteCommandRejected, ReadCommandRejected),
            Entry.Of<CreateSubscription>("SC2", WriteCreateSubscription, ReadCreateSubscription),
            Entry.Of<SubscriptionCreated>("SCd", WriteSubscriptionCreated, ReadSubscriptionCreated),
            Entry.Of<DeleteSubscription>("SD", WriteDeleteSubscription, ReadDeleteSubscription),
            Entry.Of<SubscriptionDeleted>("SDd", WriteSubscriptionDeleted, ReadSubscriptionDeleted),
            Entry.Of<Consume>("C", WriteConsume, ReadConsume),
            Entry.Of<ConsumerRegistered>("CR", WriteConsumerRegistered, ReadConsumerRegistered),
            Entry.Of<StopConsuming>("CS", WriteStopConsuming, ReadStopConsuming),
            Entry.Of<Deliver>("D", WriteDeliver, ReadDeliver),
            Entry.Of<Ack>("A", WriteAck, ReadAck),
            Entry.Of<Nack>("N2", WriteNack, ReadNack),
            Entry.Of<PublishTransient>("PT", WritePublishTransient, ReadPublishTransient),
            Entry.Of<TransientDone>("TD", WriteTransientDone, ReadTransientDone),
            Entry.Of<GetTopicInfo>("GI", WriteGetTopicInfo, ReadGetTopicInfo),
            Entry.Of<TopicInfo>("TI3", WriteTopicInfo, ReadTopicInfo),
            Entry.Of<SubscriptionInfo>("SI3", WriteSubscriptionInfo, ReadSubscriptionInfo),
            Entry.Of<Seek>("SK", WriteSeek, ReadSeek),
            Entry.Of<SeekCompleted>("SKd", WriteSeekCompleted, ReadSeekCompleted),
            Entry.Of<ConfigureTopic>("TC", WriteConfigureTopic, ReadConfigureTopic),
            Entry.Of<TopicConfigured>("TCd", WriteTopicConfigured, ReadTopicConfigured),
            Entry.Of<RedriveMessages>("RD", WriteRedriveMessages, ReadRedriveMessages),
            Entry.Of<MessagesRedriven>("RDd", WriteMessagesRedriven, ReadMessagesRedriven),
            // journal events and snapshot: each starts with JournalFormatVersion
            Entry.Of<MessagesAppended>("jM", WriteMessagesAppended, ReadMessagesAppended),
            Entry.Of<AcksRecorded>("jA", WriteAcksRecorded, ReadAcksRecorded),
            // (a changed shape gets a new manifest: jSB replaced jSA, sT2 replaced sT, SC2/N2 their originals, TI3/SI3
            // replaced TI2/SI2 (lag age and dead letters added), which had replaced TI/SI)
            Entry.Of<SubscriptionAdded>("jSB", WriteSubscriptionAdded, ReadSubscriptionAdded),
            Entry.Of<SubscriptionRemoved>("jSR", WriteSubscriptionRemoved, ReadSubscriptionRemoved),
            Entry.Of<DeliveriesFailed>("jDF", WriteDeliveriesFailed, ReadDeliveriesFailed),
            Entry.Of<MessagesDeadLettered>("jDL", WriteMessagesDeadLettered, ReadMessagesDeadLettered),
            Entry.Of<DeadLettersConfirmed>("jDC", WriteDeadLettersConfirmed, ReadDeadLettersConfirmed),
            Entry.Of<RedriveRecorded>("jRD", WriteRedriveRecorded, ReadRedriveRecorded),
            Entry.Of<CursorMoved>("jCM", WriteCursorMoved, ReadCursorMoved),
            Entry.Of<RetentionChanged>("jRC", WriteRetentionChanged, ReadRetentionChanged),
            Entry.Of<TopicSnapshot>("sT2", WriteTopicSnapshot, ReadTopicSnapshot),
        ];

        var byType = new Dictionary<Type, Entry>();
        var byManifest = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!byType.TryAdd(entry.Type, entry))
                throw new InvalidOperationException($"PubSubSerializer lists {entry.Type.Name} twice.");
            if (!byManifest.TryAdd(entry.Manifest, entry))
                throw new InvalidOperationException(
                    $"PubSubSerializer gives manifest '{entry.Manifest}' to both {byManifest[entry.Manifest].Type.Name} and {entry.Type.Name}.");
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
                $"Manifest '{manifest}' is not a known ActorPubSub message (known manifests: {string.Join(", ", _byManifest.Keys.Order(StringComparer.Ordinal))}). " +
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
                $"PubSubSerializer cannot serialize {message.GetType().FullName}: it implements IPubSubWireMessage but has no " +
                "entry in PubSubSerializer's manifest table. Add one with a new, never used manifest and a write/read pair.",
                nameof(message));

    // A first guess at the buffer so payload-heavy messages do not regrow it; small messages fit the default.
    private static int EstimateSize(object message)
    {
        var estimate = message switch
        {
            Publish m => 64L + m.Payload.Bytes.Length + m.Payload.Manifest.Length,
            Deliver m => 64L + EstimateSize(m.Messages),
            MessagesAppended m => 64L + EstimateSize(m.Messages),
            TopicSnapshot m => 256L + EstimateSize(m.Retained),
            _ => 128L,
        };
        return (int)Math.Min(estimate, Array.MaxLength);
    }

    private static long EstimateSize(ImmutableArray<TopicMessage> messages)
    {
        if (messages.IsDefault) return 0;
        var size = 0L;
        foreach (var m in messages)
            size += 40 + m.Payload.Bytes.Length + m.Payload.Manifest.Length;
        return size;
    }

    // ---- topic protocol ---------------------------------------------------------------------------------

    private static void WritePublish(WireWriter w, Publish m)
    {
        w.WriteString(m.Topic);
        WritePayload(w, m.Payload);
        w.WriteNullableString(m.Key);
        w.WriteNullableStringDictionary(m.Headers);
        w.WriteNullableString(m.MessageId);
        w.WriteNullableString(m.ProducerId);
        w.WriteNonNegative(m.ProducerSeq);
        w.WriteNonNegative(m.ProducerFloor);
    }

    private static Publish ReadPublish(ref WireReader r) => new(
        Topic: r.ReadString("Publish.Topic"),
        Payload: ReadPayload(ref r),
        Key: r.ReadNullableString("Publish.Key"),
        Headers: r.ReadNullableStringDictionary("Publish.Headers"),
        MessageId: r.ReadNullableString("Publish.MessageId"),
        ProducerId: r.ReadNullableString("Publish.ProducerId"),
        ProducerSeq: r.ReadNonNegativeInt64("Publish.ProducerSeq"),
        ProducerFloor: r.ReadNonNegativeInt64("Publish.ProducerFloor"));

    private static void WritePublishReceipt(WireWriter w, PublishReceipt m)
    {
        w.WriteString(m.Topic);
        w.WriteNonNegative(m.Sequence);
        w.WriteNullableString(m.ProducerId);
        w.WriteNonNegative(m.ProducerSeq);
        w.WriteBool(m.Duplicate);
    }

    private static PublishReceipt ReadPublishReceipt(ref WireReader r) => new(
        Topic: r.ReadString("PublishReceipt.Topic"),
        Sequence: r.ReadNonNegativeInt64("PublishReceipt.Sequence"),
        ProducerId: r.ReadNullableString("PublishReceipt.ProducerId"),
        ProducerSeq: r.ReadNonNegativeInt64("PublishReceipt.ProducerSeq"),
        Duplicate: r.ReadBool("PublishReceipt.Duplicate"));

    private static void WritePublishRejected(WireWriter w, PublishRejected m)
    {
        w.WriteString(m.Topic);
        w.WriteNullableString(m.ProducerId);
        w.WriteNonNegative(m.ProducerSeq);
        WriteRejectionCode(w, m.Code);
        w.WriteString(m.Reason);
    }

    private static PublishRejected ReadPublishRejected(ref WireReader r) => new(
        Topic: r.ReadString("PublishRejected.Topic"),
        ProducerId: r.ReadNullableString("PublishRejected.ProducerId"),
        ProducerSeq: r.ReadNonNegativeInt64("PublishRejected.ProducerSeq"),
        Code: ReadRejectionCode(ref r, "PublishRejected.Code"),
        Reason: r.ReadString("PublishRejected.Reason"));

    private static void WriteCommandRejected(WireWriter w, CommandRejected m)
    {
        w.WriteString(m.Topic);
        w.WriteNullableString(m.Subscription);
        w.WriteString(m.Command);
        WriteRejectionCode(w, m.Code);
        w.WriteString(m.Reason);
    }

    private static CommandRejected ReadCommandRejected(ref WireReader r) => new(
        Topic: r.ReadString("CommandRejected.Topic"),
        Subscription: r.ReadNullableString("CommandRejected.Subscription"),
        Command: r.ReadString("CommandRejected.Command"),
        Code: ReadRejectionCode(ref r, "CommandRejected.Code"),
        Reason: r.ReadString("CommandRejected.Reason"));

    private static void WriteSubscriptionCreated(WireWriter w, SubscriptionCreated m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Watermark);
        w.WriteBool(m.AlreadyExisted);
    }

    private static SubscriptionCreated ReadSubscriptionCreated(ref WireReader r) => new(
        Topic: r.ReadString("SubscriptionCreated.Topic"),
        Subscription: r.ReadString("SubscriptionCreated.Subscription"),
        Watermark: r.ReadNonNegativeInt64("SubscriptionCreated.Watermark"),
        AlreadyExisted: r.ReadBool("SubscriptionCreated.AlreadyExisted"));

    private static void WriteDeleteSubscription(WireWriter w, DeleteSubscription m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
    }

    private static DeleteSubscription ReadDeleteSubscription(ref WireReader r) => new(
        Topic: r.ReadString("DeleteSubscription.Topic"),
        Subscription: r.ReadString("DeleteSubscription.Subscription"));

    private static void WriteSubscriptionDeleted(WireWriter w, SubscriptionDeleted m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteBool(m.Existed);
    }

    private static SubscriptionDeleted ReadSubscriptionDeleted(ref WireReader r) => new(
        Topic: r.ReadString("SubscriptionDeleted.Topic"),
        Subscription: r.ReadString("SubscriptionDeleted.Subscription"),
        Existed: r.ReadBool("SubscriptionDeleted.Existed"));

    private static void WriteConsume(WireWriter w, Consume m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteActorRef(w, m.Consumer);
        w.WriteNonNegative(m.MaxInFlight);
    }

    private Consume ReadConsume(ref WireReader r) => new(
        Topic: r.ReadString("Consume.Topic"),
        Subscription: r.ReadString("Consume.Subscription"),
        Consumer: ReadActorRef(ref r, "Consume.Consumer"),
        MaxInFlight: r.ReadNonNegativeInt32("Consume.MaxInFlight"));

    private static void WriteConsumerRegistered(WireWriter w, ConsumerRegistered m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
    }

    private static ConsumerRegistered ReadConsumerRegistered(ref WireReader r) => new(
        Topic: r.ReadString("ConsumerRegistered.Topic"),
        Subscription: r.ReadString("ConsumerRegistered.Subscription"));

    private static void WriteStopConsuming(WireWriter w, StopConsuming m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteActorRef(w, m.Consumer);
    }

    private StopConsuming ReadStopConsuming(ref WireReader r) => new(
        Topic: r.ReadString("StopConsuming.Topic"),
        Subscription: r.ReadString("StopConsuming.Subscription"),
        Consumer: ReadActorRef(ref r, "StopConsuming.Consumer"));

    private static void WriteDeliver(WireWriter w, Deliver m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteMessages(w, m.Messages);
        // Attempts has its own count: the record does not force it to match Messages, and the serializer
        // carries what it is given rather than judging it.
        if (m.Attempts.IsDefaultOrEmpty)
        {
            w.WriteByte(0);
            return;
        }
        w.WriteVarUInt32((uint)m.Attempts.Length);
        foreach (var attempt in m.Attempts)
            w.WriteNonNegative(attempt);
    }

    private static Deliver ReadDeliver(ref WireReader r)
    {
        var topic = r.ReadString("Deliver.Topic");
        var subscription = r.ReadString("Deliver.Subscription");
        var messages = ReadMessages(ref r, "Deliver.Messages");
        var count = r.ReadCount("Deliver.Attempts", minBytesPerItem: 1);
        var attempts = count == 0 ? [] : new int[count];
        for (var i = 0; i < attempts.Length; i++)
            attempts[i] = r.ReadNonNegativeInt32("Deliver.Attempts");
        return new Deliver(topic, subscription, messages, ImmutableCollectionsMarshal.AsImmutableArray(attempts));
    }

    private static void WritePublishBatch(WireWriter w, PublishBatch m)
    {
        w.WriteString(m.Topic);
        var publishes = m.Publishes.IsDefault ? [] : m.Publishes;
        w.WriteVarUInt32((uint)publishes.Length);
        foreach (var p in publishes) WritePublish(w, p);
    }

    private static PublishBatch ReadPublishBatch(ref WireReader r)
    {
        var topic = r.ReadString("PublishBatch.Topic");
        var count = r.ReadCount("PublishBatch.Publishes", minBytesPerItem: 4);
        var publishes = count == 0 ? [] : new Publish[count];
        for (var i = 0; i < publishes.Length; i++) publishes[i] = ReadPublish(ref r);
        return new PublishBatch(topic, ImmutableCollectionsMarshal.AsImmutableArray(publishes));
    }

    private static void WritePublishReceipts(WireWriter w, PublishReceipts m)
    {
        w.WriteString(m.Topic);
        var receipts = m.Receipts.IsDefault ? [] : m.Receipts;
        w.WriteVarUInt32((uint)receipts.Length);
        foreach (var receipt in receipts) WritePublishReceipt(w, receipt);
    }

    private static PublishReceipts ReadPublishReceipts(ref WireReader r)
    {
        var topic = r.ReadString("PublishReceipts.Topic");
        var count = r.ReadCount("PublishReceipts.Receipts", minBytesPerItem: 4);
        var receipts = count == 0 ? [] : new PublishReceipt[count];
        for (var i = 0; i < receipts.Length; i++) receipts[i] = ReadPublishReceipt(ref r);
        return new PublishReceipts(topic, ImmutableCollectionsMarshal.AsImmutableArray(receipts));
    }

    private static void WritePublishTransient(WireWriter w, PublishTransient m)
    {
        w.WriteString(m.Topic);
        WriteMessages(w, m.Messages);
    }

    private static PublishTransient ReadPublishTransient(ref WireReader r) => new(
        Topic: r.ReadString("PublishTransient.Topic"),
        Messages: ReadMessages(ref r, "PublishTransient.Messages"));

    private static void WriteTransientDone(WireWriter w, TransientDone m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Count);
    }

    private static TransientDone ReadTransientDone(ref WireReader r) => new(
        Topic: r.ReadString("TransientDone.Topic"),
        Subscription: r.ReadString("TransientDone.Subscription"),
        Count: r.ReadNonNegativeInt32("TransientDone.Count"));

    private static void WriteAck(WireWriter w, Ack m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteInt64ArrayDelta(m.Sequences);
    }

    private static Ack ReadAck(ref WireReader r) => new(
        Topic: r.ReadString("Ack.Topic"),
        Subscription: r.ReadString("Ack.Subscription"),
        Sequences: r.ReadInt64ArrayDelta("Ack.Sequences"));

    private static void WriteGetTopicInfo(WireWriter w, GetTopicInfo m) => w.WriteString(m.Topic);

    private static GetTopicInfo ReadGetTopicInfo(ref WireReader r) => new(r.ReadString("GetTopicInfo.Topic"));

    // ---- journal events and snapshot --------------------------------------------------------------------

    private static void WriteMessagesAppended(WireWriter w, MessagesAppended m)
    {
        w.WriteByte(JournalFormatVersion);
        WriteMessages(w, m.Messages);
        WriteArray(w, m.Producers, WriteProducerRun);
    }

    private static MessagesAppended ReadMessagesAppended(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new MessagesAppended(
            Messages: ReadMessages(ref r, "MessagesAppended.Messages"),
            Producers: ReadArray(ref r, "MessagesAppended.Producers", minBytesPerItem: 4, ReadProducerRun));
    }

    private static void WriteAcksRecorded(WireWriter w, AcksRecorded m)
    {
        w.WriteByte(JournalFormatVersion);
        WriteArray(w, m.Acks, WriteSubscriptionAcks);
    }

    private static AcksRecorded ReadAcksRecorded(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new AcksRecorded(ReadArray(ref r, "AcksRecorded.Acks", minBytesPerItem: 2, ReadSubscriptionAcks));
    }

    private static void WriteSubscriptionRemoved(WireWriter w, SubscriptionRemoved m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteString(m.Subscription);
    }

    private static SubscriptionRemoved ReadSubscriptionRemoved(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new SubscriptionRemoved(r.ReadString("SubscriptionRemoved.Subscription"));
    }

    private static void ReadJournalFormatVersion(ref WireReader r)
    {
        var offset = r.Position;
        var version = r.ReadByte("the journal format version");
        if (version != JournalFormatVersion)
            throw r.Malformed("the journal format version", offset,
                $"it is version {version}, but this ActorPubSub build reads only version {JournalFormatVersion}; the event was " +
                "probably stored by a newer ActorPubSub, so upgrade this node before it recovers that topic");
    }

    // ---- nested types -----------------------------------------------------------------------------------

    /// <summary>
    /// Messages in a Deliver, journal batch or snapshot. Sequence and timestamp are written as differences from
    /// the message before: a batch holds consecutive sequences accepted within milliseconds of each other, so
    /// each shrinks to a byte or three instead of up to 9 and 8 bytes. Differences wrap, so any values round-trip.
    /// </summary>
    internal static void WriteMessages(WireWriter w, ImmutableArray<TopicMessage> messages)
    {
        if (messages.IsDefaultOrEmpty)
        {
            w.WriteByte(0);
            return;
        }
        w.WriteVarUInt32((uint)messages.Length);
        var previousSequence = 0L;
        var previousTicks = 0L;
        for (var i = 0; i < messages.Length; i++)
        {
            var m = messages[i];
            var ticks = WireWriter.UtcTicks(m.Timestamp);
            w.WriteVarInt64(unchecked(m.Sequence - previousSequence));
            if (i == 0) w.WriteDateTime(m.Timestamp);
            else w.WriteVarInt64(unchecked(ticks - previousTicks));
            WritePayload(w, m.Payload);
            w.WriteNullableString(m.Key);
            w.WriteNullableStringDictionary(m.Headers);
            w.WriteNullableString(m.MessageId);
            previousSequence = m.Sequence;
            previousTicks = ticks;
        }
    }

    internal static ImmutableArray<TopicMessage> ReadMessages(ref WireReader r, string field)
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
                Payload: ReadPayload(ref r),
                Key: r.ReadNullableString("TopicMessage.Key"),
                Headers: r.ReadNullableStringDictionary("TopicMessage.Headers"),
                MessageId: r.ReadNullableString("TopicMessage.MessageId"));
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(messages);
    }

    private static void WritePayload(WireWriter w, Payload p)
    {
        // zigzag: user serializer ids are any int, negative ones included
        w.WriteVarInt32(p.SerializerId);
        w.WriteString(p.Manifest);
        w.WriteBytes(p.Bytes);
    }

    internal static Payload ReadPayload(ref WireReader r) => new(
        SerializerId: r.ReadVarInt32("Payload.SerializerId"),
        Manifest: r.ReadString("Payload.Manifest"),
        Bytes: r.ReadBytes("Payload.Bytes"));

    private static void WriteProducerRun(WireWriter w, ProducerRun m)
    {
        w.WriteString(m.ProducerId);
        w.WriteNonNegative(m.FirstProducerSeq);
        w.WriteNonNegative(m.FirstSequence);
        w.WriteNonNegative(m.Count);
    }

    private static ProducerRun ReadProducerRun(ref WireReader r) => new(
        ProducerId: r.ReadString("ProducerRun.ProducerId"),
        FirstProducerSeq: r.ReadNonNegativeInt64("ProducerRun.FirstProducerSeq"),
        FirstSequence: r.ReadNonNegativeInt64("ProducerRun.FirstSequence"),
        Count: r.ReadNonNegativeInt32("ProducerRun.Count"));

    private static void WriteSubscriptionAcks(WireWriter w, SubscriptionAcks m)
    {
        w.WriteString(m.Subscription);
        w.WriteInt64ArrayDelta(m.Sequences);
    }

    private static SubscriptionAcks ReadSubscriptionAcks(ref WireReader r) => new(
        Subscription: r.ReadString("SubscriptionAcks.Subscription"),
        Sequences: r.ReadInt64ArrayDelta("SubscriptionAcks.Sequences"));

    private static void WriteRejectionCode(WireWriter w, RejectionCode code) => w.WriteNonNegative((int)code);

    private static RejectionCode ReadRejectionCode(ref WireReader r, string field) => (RejectionCode)r.ReadNonNegativeInt32(field);

    private static void WriteActorRef(WireWriter w, IActorRef actorRef) =>
        // the full path with this node's address, so the receiving node resolves a remote ref back to us
        w.WriteString(Akka.Serialization.Serialization.SerializedActorPath(actorRef));

    private IActorRef ReadActorRef(ref WireReader r, string field)
    {
        var offset = r.Position;
        var path = r.ReadString(field);
        try
        {
            return system.Provider.ResolveActorRef(path);
        }
        // Akka's path parser throws on some malformed paths (a non-numeric uid) instead of failing the resolve
        catch (Exception e) when (e is FormatException or ArgumentException or ArithmeticException)
        {
            throw new SerializationException(
                $"Malformed input while reading {field} at offset {offset}: '{path}' is not an actor path ({e.Message}).", e);
        }
    }

    // ---- arrays -----------------------------------------------------------------------------------------

    private static void WriteArray<T>(WireWriter w, ImmutableArray<T> items, Action<WireWriter, T> write)
    {
        if (items.IsDefaultOrEmpty)
        {
            w.WriteByte(0);
            return;
        }
        w.WriteVarUInt32((uint)items.Length);
        foreach (var item in items)
            write(w, item);
    }

    private static ImmutableArray<T> ReadArray<T>(ref WireReader r, string field, int minBytesPerItem, ReadFn<T> read)
    {
        var count = r.ReadCount(field, minBytesPerItem);
        if (count == 0) return [];
        var items = new T[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = read(ref r);
        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }
}
