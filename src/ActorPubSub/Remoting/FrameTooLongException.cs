using Akka.Actor;

namespace ActorPubSub.Remoting;

/// <summary>A peer announced a frame longer than <c>maximum-frame-size</c> (or a negative length): the connection is closed.</summary>
internal sealed class FrameTooLongException(int length, int limit, Address peer)
    : Exception($"{peer} sent a frame of {length} bytes; maximum-frame-size allows 0 to {limit}");
