using Google.Protobuf;

namespace ActorPubSub.Remoting;

/// <summary>
/// Akka.Remote's frame format (its WireFormats.proto), read in place and written in place: an
/// <c>AkkaProtocolMessage</c> whose payload is an <c>AckAndEnvelopeContainer</c> holding a <c>RemoteEnvelope</c>
/// (recipient, message, sender, sequence number). Only the fields the topic protocol's frames use; anything else is
/// Akka's to read (<see cref="DirectDispatch"/>) or write (its endpoint writer).
/// </summary>
internal static class AkkaPdu
{
    /// <summary>Akka.Remote's mark of an envelope without a sequence number (<c>AkkaPduProtobuffCodec.SeqUndefined</c>).</summary>
    public const ulong SeqUndefined = ulong.MaxValue;

    /// <summary>AkkaProtocolMessage: a payload (field 1) and no instruction (field 2).</summary>
    public static bool TryReadPayload(ReadOnlySpan<byte> pdu, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        var found = false;
        var reader = new WireReader(pdu);
        while (reader.TryReadTag(out var field, out var type))
        {
            if (field == 1 && type == WireReader.LengthDelimited) { if (!reader.TryReadBytes(out payload)) return false; found = true; }
            else if (field == 2) return false;
            else if (!reader.TrySkip(type)) return false;
        }
        return found && !reader.Malformed;
    }

    /// <summary>
    /// AckAndEnvelopeContainer: an optional ack (field 1) and the envelope (field 2). The ack's presence counts, not its
    /// length: the ack of Akka's first system message (sequence number 0) is an empty message.
    /// </summary>
    public static bool TryReadContainer(ReadOnlySpan<byte> container, out bool hasAck, out ReadOnlySpan<byte> ack, out ReadOnlySpan<byte> envelope)
    {
        ack = envelope = default;
        hasAck = false;
        var found = false;
        var reader = new WireReader(container);
        while (reader.TryReadTag(out var field, out var type))
        {
            if (field == 1 && type == WireReader.LengthDelimited) { if (!reader.TryReadBytes(out ack)) return false; hasAck = true; }
            else if (field == 2 && type == WireReader.LengthDelimited) { if (!reader.TryReadBytes(out envelope)) return false; found = true; }
            else if (!reader.TrySkip(type)) return false;
        }
        return found && !reader.Malformed;
    }

    /// <summary>RemoteEnvelope: recipient (1), message (2), sender (4), seq (5), which must be Akka's "none".</summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> envelope, out ReadOnlySpan<byte> recipient, out ReadOnlySpan<byte> message, out ReadOnlySpan<byte> sender)
    {
        recipient = message = sender = default;
        var seq = 0UL;   // absent means 0, a sequence number like any other
        bool hasRecipient = false, hasMessage = false;
        var reader = new WireReader(envelope);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var r) || !TryReadPath(r, out recipient)) return false;
                    hasRecipient = true;
                    break;
                case (2, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out message)) return false;
                    hasMessage = true;
                    break;
                case (4, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out var s) || !TryReadPath(s, out sender)) return false;
                    break;
                case (5, WireReader.Fixed64):
                    if (!reader.TryReadFixed64(out seq)) return false;
                    break;
                default:
                    if (!reader.TrySkip(type)) return false;
                    break;
            }
        }
        return hasRecipient && hasMessage && seq == SeqUndefined && !recipient.IsEmpty && !reader.Malformed;
    }

    /// <summary>ActorRefData: the path (field 1).</summary>
    private static bool TryReadPath(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> path)
    {
        path = default;
        var reader = new WireReader(data);
        while (reader.TryReadTag(out var field, out var type))
        {
            if (field == 1 && type == WireReader.LengthDelimited) { if (!reader.TryReadBytes(out path)) return false; }
            else if (!reader.TrySkip(type)) return false;
        }
        return !reader.Malformed;
    }

    /// <summary>Payload: the bytes (1), the serializer (2) and the manifest (3), which must be present.</summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> bytes, out long serializerId, out ReadOnlySpan<byte> manifest)
    {
        bytes = manifest = default;
        serializerId = 0;
        var serializer = 0UL;
        var reader = new WireReader(message);
        while (reader.TryReadTag(out var field, out var type))
        {
            switch (field, type)
            {
                case (1, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out bytes)) return false;
                    break;
                case (2, WireReader.Varint):
                    if (!reader.TryReadVarint(out serializer)) return false;
                    break;
                case (3, WireReader.LengthDelimited):
                    if (!reader.TryReadBytes(out manifest)) return false;
                    break;
                default:
                    if (!reader.TrySkip(type)) return false;
                    break;
            }
        }
        // int32 on the wire: a negative id is ten bytes of varint (read back as a negative long).
        serializerId = (long)serializer;
        return !reader.Malformed && !manifest.IsEmpty;
    }

    /// <summary>An Akka PDU that carries only <paramref name="ack"/> (an AcknowledgementInfo), for Akka's endpoint reader or the peer's.</summary>
    public static ByteString AckOnly(ReadOnlySpan<byte> ack)
    {
        var container = WireWriter.LengthDelimitedSize(ack.Length);
        var bytes = new byte[WireWriter.LengthDelimitedSize(container)];
        var writer = new WireWriter(bytes);
        writer.WriteLengthDelimitedHeader(1, container);   // AkkaProtocolMessage.payload
        writer.WriteBytes(1, ack);                          // AckAndEnvelopeContainer.ack
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    /// <summary>
    /// The PDU of an ordinary message (no sequence number, no ack), as Akka's endpoint writer writes one: the recipient's
    /// and the sender's paths (UTF-8; no sender when empty), and the message's protobuf form under the serializer and
    /// manifest given. One array of the exact size; the message writes itself into it.
    /// </summary>
    public static byte[] Message(ReadOnlySpan<byte> recipientPath, ReadOnlySpan<byte> senderPath, IMessage message, int serializerId, ReadOnlySpan<byte> manifest)
    {
        var messageSize = message.CalculateSize();
        var bytes = new byte[MessageLength(recipientPath, senderPath, messageSize, serializerId, manifest)];
        WriteMessage(bytes, recipientPath, senderPath, message, messageSize, serializerId, manifest);
        return bytes;
    }

    /// <summary>The length of <see cref="Message"/>'s PDU, for a message of <paramref name="messageSize"/> bytes.</summary>
    public static int MessageLength(ReadOnlySpan<byte> recipientPath, ReadOnlySpan<byte> senderPath, int messageSize, int serializerId, ReadOnlySpan<byte> manifest)
    {
        var (_, _, _, _, container) = Sizes(recipientPath, senderPath, messageSize, serializerId, manifest);
        return WireWriter.LengthDelimitedSize(container);
    }

    /// <summary>
    /// Writes <see cref="Message"/>'s PDU into the start of <paramref name="output"/> (at least <see cref="MessageLength"/>
    /// long: a pooled buffer may be longer), the message writing itself in place.
    /// </summary>
    public static void WriteMessage(Span<byte> output, ReadOnlySpan<byte> recipientPath, ReadOnlySpan<byte> senderPath, IMessage message,
        int messageSize, int serializerId, ReadOnlySpan<byte> manifest)
    {
        var (payload, recipient, sender, envelope, container) = Sizes(recipientPath, senderPath, messageSize, serializerId, manifest);
        var length = WireWriter.LengthDelimitedSize(container);
        var writer = new WireWriter(output[..length]);
        writer.WriteLengthDelimitedHeader(1, container);         // AkkaProtocolMessage.payload
        writer.WriteLengthDelimitedHeader(2, envelope);          // AckAndEnvelopeContainer.envelope
        writer.WriteLengthDelimitedHeader(1, recipient);         // RemoteEnvelope.recipient
        writer.WriteBytes(1, recipientPath);                     // ActorRefData.path
        writer.WriteLengthDelimitedHeader(2, payload);           // RemoteEnvelope.message
        writer.WriteLengthDelimitedHeader(1, messageSize);       // Payload.message
        message.WriteTo(writer.Reserve(messageSize));
        writer.WriteVarintField(2, (uint)serializerId);          // Payload.serializerId
        writer.WriteBytes(3, manifest);                          // Payload.messageManifest
        if (sender != 0)
        {
            writer.WriteLengthDelimitedHeader(4, sender);        // RemoteEnvelope.sender
            writer.WriteBytes(1, senderPath);
        }
        writer.WriteFixed64Field(5, SeqUndefined);               // RemoteEnvelope.seq
        if (writer.Position != length)
            throw new InvalidOperationException($"Akka PDU written as {writer.Position} bytes, sized as {length}");
    }

    /// <summary>The sizes of the PDU's nested fields' contents (sender 0: no sender).</summary>
    private static (int Payload, int Recipient, int Sender, int Envelope, int Container) Sizes(ReadOnlySpan<byte> recipientPath,
        ReadOnlySpan<byte> senderPath, int messageSize, int serializerId, ReadOnlySpan<byte> manifest)
    {
        var payload = WireWriter.LengthDelimitedSize(messageSize)
                      + 1 + WireWriter.VarintSize((uint)serializerId)
                      + WireWriter.LengthDelimitedSize(manifest.Length);
        var recipient = WireWriter.LengthDelimitedSize(recipientPath.Length);
        var sender = senderPath.IsEmpty ? 0 : WireWriter.LengthDelimitedSize(senderPath.Length);
        var envelope = WireWriter.LengthDelimitedSize(recipient)
                       + WireWriter.LengthDelimitedSize(payload)
                       + (sender == 0 ? 0 : WireWriter.LengthDelimitedSize(sender))
                       + 1 + 8;
        return (payload, recipient, sender, envelope, WireWriter.LengthDelimitedSize(envelope));
    }
}
