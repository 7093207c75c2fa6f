using Akka.Actor;
using Akka.Remote;

namespace ActorPubSub.Remoting;

/// <summary>
/// <see cref="DirectSend"/>'s way to one remote address, in one of three states:
/// <list type="bullet">
/// <item><b>Akka's way</b> (no fence out, no connection): a message is told Akka's way and a fence after it.</item>
/// <item><b>Fence out</b>: messages wait here, in order, until the transport takes the fence out of Akka's frames;
/// then they are written to that connection and the route has it. After <see cref="DirectSend.FenceTimeout"/> without
/// the fence (Akka dropped it: the address is gated or unreachable), or with <see cref="DirectSend.MaxHeld"/> waiting,
/// they take Akka's way instead, after everything told before, and the next message starts again.</item>
/// <item><b>Direct</b>: each message is written to the connection at once, on the teller's thread. When the connection
/// refuses (closing) or closes, the route is dropped and the address's next message starts again Akka's way.</item>
/// </list>
/// Why the order holds: Akka's way is one queue per remote address (endpoint manager, supervisor, writer), so a fence
/// handed to the transport means every message told before it was written to that connection; what waited is written
/// next, and what follows after. The lock orders the tells against the switches; the direct state reads one field.
/// </summary>
internal sealed class DirectRoute(DirectSend owner, Address address)
{
    private readonly object _gate = new();
    private readonly List<HeldMessage> _held = [];
    private volatile SocketAssociation? _connection;
    private long _fence;    // the fence out, 0 when none
    private bool _dropped;  // no longer the address's route

    public Address Address { get; } = address;

    /// <summary>The connection messages are written to, null while the route takes Akka's way (diagnostics and tests).</summary>
    public SocketAssociation? Connection => _connection;

    /// <summary>Messages waiting for the fence (diagnostics and tests).</summary>
    public int Held
    {
        get
        {
            lock (_gate) return _held.Count;
        }
    }

    /// <summary>The id of the fence out, 0 when none (diagnostics and tests).</summary>
    public long FenceOut
    {
        get
        {
            lock (_gate) return _fence;
        }
    }

    /// <summary>Tells or writes the message; false when this route was dropped first (the caller takes the address's next one).</summary>
    public bool Tell(RemoteActorRef recipient, object message, IActorRef? sender)
    {
        if (_connection is { } connection && owner.TryWrite(connection, recipient, message, sender)) return true;
        lock (_gate)
        {
            if (_dropped) return false;
            if (_connection is { } current)
            {
                if (owner.TryWrite(current, recipient, message, sender)) return true;
                // Closing: this message and what follows take Akka's way (to whatever connection it makes next).
                _connection = null;
            }
            if (_fence == 0)
            {
                recipient.Tell(message, sender);
                SendFence(recipient);
                return true;
            }
            if (_held.Count >= owner.MaxHeld)
            {
                // Too many waiting: they take Akka's way (behind the fence), and a new fence follows them.
                GiveUp();
                recipient.Tell(message, sender);
                SendFence(recipient);
                return true;
            }
            _held.Add(new HeldMessage(recipient, message, sender));
            return true;
        }
    }

    /// <summary>Akka's writer handed fence <paramref name="id"/> to <paramref name="connection"/>: what waited goes to it, and so does what follows.</summary>
    public void FenceTaken(SocketAssociation connection, long id)
    {
        lock (_gate)
        {
            if (_fence != id) return;   // given up before it came
            _fence = 0;
            owner.FenceDone(id);
            for (var i = 0; i < _held.Count; i++)
            {
                var (recipient, message, sender) = _held[i];
                if (owner.TryWrite(connection, recipient, message, sender)) continue;
                // The connection is closing already: the rest takes Akka's way, in order; the next message starts again.
                for (var j = i; j < _held.Count; j++) _held[j].Recipient.Tell(_held[j].Message, _held[j].Sender);
                _held.Clear();
                return;
            }
            _held.Clear();
            _connection = connection;
        }
    }

    /// <summary>Fence <paramref name="id"/> did not come in time: what waited takes Akka's way, and the route is dropped.</summary>
    public void FenceTimedOut(long id)
    {
        lock (_gate)
        {
            if (_fence != id) return;
            var held = _held.Count;
            GiveUp();
            owner.LogGaveUp(Address, held);
            Drop();
        }
    }

    /// <summary>The connection closed: if it is this route's, the route is dropped.</summary>
    public void Closed(SocketAssociation connection)
    {
        lock (_gate)
        {
            if (_connection != connection) return;
            _connection = null;
            Drop();
        }
    }

    private void SendFence(RemoteActorRef recipient)
    {
        _fence = owner.NewFence(this);
        recipient.Tell(new DirectSendFence(_fence), ActorRefs.NoSender);
    }

    /// <summary>The fence out is given up: what waited for it takes Akka's way, after everything told before it.</summary>
    private void GiveUp()
    {
        owner.FenceDone(_fence);
        _fence = 0;
        foreach (var (recipient, message, sender) in _held) recipient.Tell(message, sender);
        _held.Clear();
    }

    private void Drop()
    {
        _dropped = true;
        owner.Remove(this);
    }

    private readonly record struct HeldMessage(RemoteActorRef Recipient, object Message, IActorRef? Sender);
}
