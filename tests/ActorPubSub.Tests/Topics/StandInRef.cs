using Akka.Actor;
using Akka.Util;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// A stand-in actor reference for specs of plain topic parts that run without an ActorSystem: distinct by
/// name, and records what it was told.
/// </summary>
internal sealed class StandInRef(string name) : IActorRef
{
    public List<object> Received { get; } = [];

    public ActorPath Path { get; } = new RootActorPath(new Address("akka", "test")) / name;

    public void Tell(object message, IActorRef sender) => Received.Add(message);

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public int CompareTo(IActorRef? other) => other is null ? 1 : Path.CompareTo(other.Path);

    public int CompareTo(object? obj) => obj is IActorRef other ? CompareTo(other) : 1;

    public ISurrogate ToSurrogate(ActorSystem system) => throw new NotSupportedException("Test references do not travel.");

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => Path.GetHashCode();

    public override string ToString() => Path.ToString();
}
