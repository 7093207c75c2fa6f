using ActorPubSub.Messages;
using ActorPubSub.Serialization.Legacy;
using ActorPubSub.Topics;
using Akka.Actor;
using Google.Protobuf;
using static ActorPubSub.Serialization.ManifestEntry;
using P = ActorPubSub.Serialization.Proto;
using Protocol = ActorPubSub.Serialization.TopicProtocolMapper;
using Events = ActorPubSub.Serialization.TopicEventMapper;

namespace ActorPubSub.Serialization;

/// <summary>
/// Serializer of every <see cref="IPubSubWireMessage"/>: the topic protocol (topic_protocol.proto) and a topic's
/// journal events and snapshot (topic_events.proto), as Protocol Buffers. Also reads the events and snapshots that
/// the binary format before protobuf stored (<see cref="LegacyTopicEvents"/>).
/// </summary>
/// <remarks>
/// Manifests never change and are never reused; the retired ones of the binary format are listed in
/// <see cref="LegacyTopicEvents"/> and (for messages that were never stored) here: P PR PB PRs PX CX SC SC2 SCd SD
/// SDd C CR CS D A N N2 PT TD GI TI TI2 TI3 SI SI2 SI3 SK SKd TC TCd RD RDd jSA sT.
/// </remarks>
public sealed class PubSubSerializer(ExtendedActorSystem system) : ProtobufSerializer(system, "message",
[
    // topic protocol
    Of<Publish, P.Publish>("tP", Protocol.ToProto, Protocol.FromProto),
    Of<PublishReceipt, P.PublishReceipt>("tPR", Protocol.ToProto, Protocol.FromProto),
    OfReader<PublishBatch>("tPB", Protocol.ToProto, PublishBatchReader.Read),
    Of<PublishReceipts, P.PublishReceipts>("tPS", Protocol.ToProto, Protocol.FromProto),
    AlternativeOf<PublishReceipts, P.PublishReceiptRuns>(CompactReceiptsManifest, Protocol.FromProto),
    Of<PublishRejected, P.PublishRejected>("tPX", Protocol.ToProto, Protocol.FromProto),
    Of<CommandRejected, P.CommandRejected>("tCX", Protocol.ToProto, Protocol.FromProto),
    Of<CreateSubscription, P.CreateSubscription>("tSC", Protocol.ToProto, Protocol.FromProto),
    Of<SubscriptionCreated, P.SubscriptionCreated>("tSc", Protocol.ToProto, Protocol.FromProto),
    Of<DeleteSubscription, P.DeleteSubscription>("tSD", Protocol.ToProto, Protocol.FromProto),
    Of<SubscriptionDeleted, P.SubscriptionDeleted>("tSd", Protocol.ToProto, Protocol.FromProto),
    Of<Consume, P.Consume>("tC", Protocol.ToProto, p => Protocol.FromProto(p, system)),
    Of<ConsumerRegistered, P.ConsumerRegistered>("tCR", Protocol.ToProto, Protocol.FromProto),
    Of<StopConsuming, P.StopConsuming>("tCS", Protocol.ToProto, p => Protocol.FromProto(p, system)),
    // the batches of every delivery and transient publish: read straight into the records (same format, same result)
    OfReader<Deliver>("tD", Protocol.ToProto, TopicMessageBatchReader.ReadDeliver),
    Of<Ack, P.Ack>("tA", Protocol.ToProto, Protocol.FromProto),
    Of<Nack, P.Nack>("tN", Protocol.ToProto, Protocol.FromProto),
    OfReader<PublishTransient>("tPT", Protocol.ToProto, TopicMessageBatchReader.ReadPublishTransient),
    Of<TransientDone, P.TransientDone>("tTD", Protocol.ToProto, Protocol.FromProto),
    Of<TransientAccepted, P.TransientAccepted>("tTA", Protocol.ToProto, Protocol.FromProto),
    Of<TransientDemand, P.TransientDemand>("tTW", Protocol.ToProto, Protocol.FromProto),
    Of<GetTopicInfo, P.GetTopicInfo>("tGI", Protocol.ToProto, Protocol.FromProto),
    Of<TopicInfo, P.TopicInfo>("tTI", Protocol.ToProto, Protocol.FromProto),
    Of<SubscriptionInfo, P.SubscriptionInfo>("tSI", Protocol.ToProto, Protocol.FromProto),
    Of<Seek, P.Seek>("tSK", Protocol.ToProto, Protocol.FromProto),
    Of<SeekCompleted, P.SeekCompleted>("tSk", Protocol.ToProto, Protocol.FromProto),
    Of<ConfigureTopic, P.ConfigureTopic>("tTC", Protocol.ToProto, Protocol.FromProto),
    Of<TopicConfigured, P.TopicConfigured>("tTc", Protocol.ToProto, Protocol.FromProto),
    Of<RedriveMessages, P.RedriveMessages>("tRD", Protocol.ToProto, Protocol.FromProto),
    Of<MessagesRedriven, P.MessagesRedriven>("tRd", Protocol.ToProto, Protocol.FromProto),
    // the direct send's fence: written by Akka's endpoint writer, taken out by the transport, never on the wire
    Of<Remoting.DirectSendFence, P.DirectSendFence>("tFN", f => new P.DirectSendFence { Id = f.Id }, p => new Remoting.DirectSendFence(p.Id)),
    // journal events and snapshot
    Of<MessagesAppended, P.MessagesAppended>("eM", Events.ToProto, Events.FromProto),
    Of<AcksRecorded, P.AcksRecorded>("eA", Events.ToProto, Events.FromProto),
    Of<SubscriptionAdded, P.SubscriptionAdded>("eSA", Events.ToProto, Events.FromProto),
    Of<SubscriptionRemoved, P.SubscriptionRemoved>("eSR", Events.ToProto, Events.FromProto),
    Of<DeliveriesFailed, P.DeliveriesFailed>("eDF", Events.ToProto, Events.FromProto),
    Of<MessagesDeadLettered, P.MessagesDeadLettered>("eDL", Events.ToProto, Events.FromProto),
    Of<DeadLettersConfirmed, P.DeadLettersConfirmed>("eDC", Events.ToProto, Events.FromProto),
    Of<RedriveRecorded, P.RedriveRecorded>("eRD", Events.ToProto, Events.FromProto),
    Of<CursorMoved, P.CursorMoved>("eCM", Events.ToProto, Events.FromProto),
    Of<RetentionChanged, P.RetentionChanged>("eRC", Events.ToProto, Events.FromProto),
    Of<LogTruncated, P.LogTruncated>("eLT", Events.ToProto, Events.FromProto),
    Of<LimitsChanged, P.LimitsChanged>("eLC", Events.ToProto, Events.FromProto),
    Of<TopicSnapshot, P.TopicSnapshot>("eT", Events.ToProto, Events.FromProto),
    .. LegacyTopicEvents.Entries,
]), Remoting.IDirectDispatchSerializer
{
    public const int SerializerId = 471;

    /// <summary>
    /// <see cref="PublishReceipts"/> in their compact form, to senders that said they read it
    /// (<see cref="PublishBatch.CompactReceipts"/>); older clients never ask, so never see it.
    /// </summary>
    internal const string CompactReceiptsManifest = "tPC";

    public override int Identifier => SerializerId;

    // The transport reads the topic protocol straight out of received frames (Remoting.DirectDispatch).
    bool Remoting.IDirectDispatchSerializer.ReadsFromSpan(string manifest) => ReadsFromSpan(manifest);

    object Remoting.IDirectDispatchSerializer.FromSpan(ReadOnlySpan<byte> bytes, string manifest) => FromSpan(bytes, manifest);

    // ... and writes it straight into sent frames (Remoting.DirectSend).
    IMessage Remoting.IDirectDispatchSerializer.ToWire(object message, out string manifest) => ToWire(message, out manifest);

    internal override IMessage ToWire(object obj, out string manifest)
    {
        if (obj is PublishReceipts receipts && Protocol.TravelsCompact(receipts))
        {
            manifest = CompactReceiptsManifest;
            return Protocol.ToRunsProto(receipts);
        }
        return base.ToWire(obj, out manifest);
    }

    public override string Manifest(object o) =>
        o is PublishReceipts receipts && Protocol.TravelsCompact(receipts) ? CompactReceiptsManifest : base.Manifest(o);

    public override byte[] ToBinary(object obj) => ToWire(obj, out _).ToByteArray();
}
