using Google.Protobuf;

namespace ActorPubSub.Serialization;

/// <summary>
/// One row of a serializer's manifest table: the record type, its manifest, and how it becomes a protobuf message
/// and comes back. A legacy row only reads (the manifests of the binary format before protobuf, for stored data).
/// </summary>
/// <param name="Alternative">
/// A read-only row of a current format: a second manifest of a type that the serializer writes in that form only when
/// the receiver reads it (not a legacy manifest).
/// </param>
/// <param name="ReadSpan">Reads the same from a span, without a copy of the bytes (current formats only).</param>
internal sealed record ManifestEntry(Type Type, string Manifest, Func<object, IMessage>? ToProto, Func<byte[], object> Read, bool Alternative = false,
    ManifestEntry.SpanReader? ReadSpan = null)
{
    public static ManifestEntry Of<T, TProto>(string manifest, Func<T, TProto> toProto, Func<TProto, T> fromProto)
        where T : class
        where TProto : class, IMessage<TProto>, new() =>
        Current(typeof(T), manifest, message => toProto((T)message), ReaderOf(fromProto), alternative: false);

    /// <summary>A row whose reader goes straight from the bytes to the record (<see cref="TopicMessageBatchReader"/>).</summary>
    public static ManifestEntry OfReader<T>(string manifest, Func<T, IMessage> toProto, SpanReader read) where T : class =>
        Current(typeof(T), manifest, message => toProto((T)message), read, alternative: false);

    public static ManifestEntry Legacy<T>(string manifest, Func<byte[], T> read) where T : class =>
        new(typeof(T), manifest, null, read);

    /// <summary>A second, current manifest of <typeparamref name="T"/> that the serializer reads here and writes by itself.</summary>
    public static ManifestEntry AlternativeOf<T, TProto>(string manifest, Func<TProto, T> fromProto)
        where T : class
        where TProto : class, IMessage<TProto>, new() =>
        Current(typeof(T), manifest, null, ReaderOf(fromProto), alternative: true);

    /// <summary>Reads a message from bytes it does not keep.</summary>
    public delegate object SpanReader(ReadOnlySpan<byte> bytes);

    /// <summary>A row of a current format: one protobuf parse serves both the array and the span reader.</summary>
    private static ManifestEntry Current(Type type, string manifest, Func<object, IMessage>? toProto, SpanReader read, bool alternative) =>
        new(type, manifest, toProto, bytes => read(bytes), alternative, read);

    private static SpanReader ReaderOf<T, TProto>(Func<TProto, T> fromProto)
        where T : class
        where TProto : class, IMessage<TProto>, new() =>
        bytes => fromProto(Parser<TProto>.Instance.ParseFrom(bytes));

    private static class Parser<TProto> where TProto : class, IMessage<TProto>, new()
    {
        public static readonly MessageParser<TProto> Instance = new(() => new TProto());
    }
}
