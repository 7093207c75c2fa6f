using ActorPubSub.DeadLetters;
using ActorPubSub.Messages;
using ActorPubSub.Serialization.Legacy;
using ActorPubSub.Topics;
using Akka.Actor;
using static ActorPubSub.Serialization.DeadLetterMapper;
using static ActorPubSub.Serialization.ManifestEntry;
using P = ActorPubSub.Serialization.Proto;

namespace ActorPubSub.Serialization;

/// <summary>
/// Serializer of every <see cref="IDeadLetterWireMessage"/>: the dead-letter protocol, a store's journal events and
/// its snapshot (dead_letters.proto), as Protocol Buffers. Also reads the events and snapshots that the binary format
/// before protobuf stored (<see cref="LegacyDeadLetterEvents"/>).
/// </summary>
/// <remarks>
/// Manifests only need to be unique within this serializer (its id is stored beside them); they never change and are
/// never reused. Retired with the binary format (never stored): S SA SC L LP G GF R RA X XA.
/// </remarks>
public sealed class DeadLetterSerializer(ExtendedActorSystem system) : ProtobufSerializer(system, "dead-letter message",
[
    // protocol
    Of<StoreDeadLetters, P.StoreDeadLetters>("dS", ToProto, FromProto),
    Of<DeadLettersStored, P.DeadLettersStored>("dSd", ToProto, FromProto),
    Of<DeadLetterCount, P.DeadLetterCount>("dC", ToProto, FromProto),
    Of<ListDeadLetters, P.ListDeadLetters>("dL", ToProto, FromProto),
    Of<DeadLetterPage, P.DeadLetterPage>("dLP", ToProto, FromProto),
    Of<GetDeadLetter, P.GetDeadLetter>("dG", ToProto, FromProto),
    Of<DeadLetterFound, P.DeadLetterFound>("dGF", ToProto, FromProto),
    Of<RedriveDeadLetters, P.RedriveDeadLetters>("dR", ToProto, FromProto),
    Of<DeadLettersRedriven, P.DeadLettersRedriven>("dRd", ToProto, FromProto),
    Of<PurgeDeadLetters, P.PurgeDeadLetters>("dX", ToProto, FromProto),
    Of<DeadLettersPurged, P.DeadLettersPurged>("dXd", ToProto, FromProto),
    // journal events and snapshot
    Of<DeadLettersAdded, P.DeadLettersAdded>("eA", ToProto, FromProto),
    Of<DeadLettersRemoved, P.DeadLettersRemoved>("eR", ToProto, FromProto),
    Of<DeadLetterSnapshot, P.DeadLetterSnapshot>("eD", ToProto, FromProto),
    .. LegacyDeadLetterEvents.Entries,
])
{
    public const int SerializerId = 472;

    public override int Identifier => SerializerId;
}
