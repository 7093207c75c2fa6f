using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace ActorPubSub.Remoting;

/// <summary>
/// One TCP connection of <see cref="SocketTransport"/>, carrying Akka.Remote's frames: a 4-byte length (the transport's
/// <c>byte-order</c>), then the PDU, exactly as Akka's DotNetty transport frames them, so either end may run either
/// transport.
/// <para>
/// Sending: the thread that calls <see cref="Write"/> while nobody is sending becomes the sender. It copies every queued
/// frame into one pooled buffer and hands it to the socket, which on Linux completes at once while the kernel has room,
/// so a frame leaves on the writer's own thread, with no hand-off to an event loop. Only a send that has to wait
/// continues on the thread pool, and frames written meanwhile go out together with the next send.
/// </para>
/// <para>
/// Receiving: one loop reads into a pooled buffer and hands every whole frame to Akka as it arrives. A frame of 16 KiB or
/// more is read straight into a pooled array of its size (no buffer growing by copies), which goes back to the pool once
/// its message is dispatched (<see cref="DirectDispatch"/> keeps no bytes of the frame; Akka gets a copy of its own).
/// </para>
/// <para>
/// The direct send writes its frames into pooled arrays too (<see cref="WritePooled"/>): each goes back to the pool once
/// copied into the send buffer, so the topic protocol's frames cost no allocation of their own on either side.
/// </para>
/// <para>
/// Memory: both buffers (64 KiB each) go back to the pool when the connection has nothing to send or to read, so idle
/// connections, however many clients there are, hold none; frames waiting to be sent are bounded by what the product's
/// flow control lets be in flight (publish windows, delivery credit), as with Akka's own transport.
/// </para>
/// </summary>
internal sealed class SocketAssociation : AssociationHandle
{
    private const int SendChunk = 64 * 1024;
    private const int ReadChunk = 64 * 1024;
    /// <summary>Frames at least this long are read into an array of their own instead of through the read buffer.</summary>
    private const int OwnArrayFrom = 16 * 1024;

    private readonly Socket _socket;
    private readonly SocketTransport _transport;
    private readonly SocketTransportSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly ConcurrentQueue<Pending> _outbound = new();
    private byte[]? _sendBuffer;   // used only by the thread that holds _sending
    private int _sending;          // 1 while one thread sends
    private volatile bool _closing;
    private int _outputShut;
    private int _closed;
    private int _told;
    private readonly DirectDispatch? _direct;
    private readonly DirectSend? _sends;
    /// <summary>
    /// A connection the peer opened starts with Akka's handshake, which Akka's protocol-state actor checks: no frame is
    /// dispatched directly before the first one went to Akka.
    /// </summary>
    private bool _handshakePassed;

    /// <param name="inbound">The peer opened the connection (its first frame is Akka's handshake).</param>
    public SocketAssociation(Address localAddress, Address remoteAddress, Socket socket, SocketTransport transport, bool inbound)
        : base(localAddress, remoteAddress)
    {
        _socket = socket;
        _transport = transport;
        _settings = transport.Settings;
        _log = transport.Log;
        _direct = transport.Direct;
        _sends = transport.Sends;
        _handshakePassed = !inbound;
    }

    /// <summary>Starts reading; nothing is read before Akka registered the handle's listener.</summary>
    public void Start() => _ = ReadLoop();

    /// <summary>A frame from Akka's endpoint writer; a direct send's fence among them is taken out (<see cref="DirectSend.TryTakeFence"/>).</summary>
    public override bool Write(ByteString payload)
    {
        if (_closing || Volatile.Read(ref _closed) != 0) return false;
        if (_sends is { Fencing: true } sends && sends.TryTakeFence(this, payload.Span, out var ackOnly))
        {
            if (ackOnly is null) return true;
            payload = ackOnly;
        }
        return WriteDirect(payload);
    }

    /// <summary>A frame to send as it is (Akka's, or an acknowledgement taken off a fence); false once the connection is closing.</summary>
    internal bool WriteDirect(ByteString payload) => Enqueue(new Pending(payload, null, payload.Length));

    /// <summary>
    /// A frame in the first <paramref name="length"/> bytes of <paramref name="pooled"/>, rented from the shared array pool
    /// (<see cref="DirectSend"/>'s): it goes back to the pool once copied out. False once the connection is closing; the
    /// array is then still the caller's.
    /// </summary>
    internal bool WritePooled(byte[] pooled, int length) => Enqueue(new Pending(null, pooled, length));

    private bool Enqueue(Pending frame)
    {
        if (_closing || Volatile.Read(ref _closed) != 0) return false;
        _outbound.Enqueue(frame);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0) Send();
        return true;
    }

    /// <summary>
    /// A frame waiting to be sent: Akka's bytes, or a pooled array the direct send wrote (frames left when the
    /// connection closes are not given back: the pool only misses them).
    /// </summary>
    private readonly record struct Pending(ByteString? Bytes, byte[]? Pooled, int Length)
    {
        public ReadOnlySpan<byte> Span => Bytes is not null ? Bytes.Span : Pooled.AsSpan(0, Length);
    }

    /// <summary>Closes after the frames written so far are sent and the peer closed its side, or after <c>flush-wait-on-shutdown</c>.</summary>
#pragma warning disable CS0672 // Akka's own transports override the obsolete member: it is the one Disassociate(reason, log) calls.
    public override void Disassociate()
#pragma warning restore CS0672
    {
        if (_closing) return;
        _closing = true;
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0) Send();
        _ = Task.Delay(_settings.FlushWaitOnShutdown).ContinueWith(_ => Close(), TaskScheduler.Default);
    }

    /// <summary>Closes the socket now; the read loop ends and tells Akka the association is gone.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _socket.Dispose();
        _transport.Forget(this);
        _sends?.Closed(this);
    }

    /// <summary>Sends until the queue is empty; the caller holds <see cref="_sending"/>.</summary>
    private void Send()
    {
        while (true)
        {
            var length = Fill();
            if (length > 0)
            {
                ValueTask<int> sent;
                try
                {
                    sent = _socket.SendAsync(_sendBuffer.AsMemory(0, length), SocketFlags.None);
                }
                catch (Exception e)
                {
                    Fail(e);
                    return;   // _sending stays taken: the association is closed
                }
                if (sent.IsCompletedSuccessfully && sent.Result == length) continue;
                _ = SendRest(sent, length);
                return;
            }
            // Nothing left: the buffer goes back to the pool, so an idle connection holds none.
            if (_sendBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_sendBuffer);
                _sendBuffer = null;
            }
            if (_closing) ShutOutput();
            Volatile.Write(ref _sending, 0);
            // A frame queued (or a close asked for) after the queue looked empty, by a writer that found _sending taken.
            if (_outbound.IsEmpty && !(_closing && Volatile.Read(ref _outputShut) == 0)) return;
            if (Interlocked.CompareExchange(ref _sending, 1, 0) != 0) return;
        }
    }

    private async Task SendRest(ValueTask<int> pending, int length)
    {
        try
        {
            var sent = await pending.ConfigureAwait(false);
            while (sent < length)
            {
                var more = await _socket.SendAsync(_sendBuffer.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
                if (more <= 0) throw new SocketException((int)SocketError.ConnectionReset);
                sent += more;
            }
        }
        catch (Exception e)
        {
            Fail(e);
            return;
        }
        Send();
    }

    /// <summary>Copies queued frames into the send buffer, up to its size (or one frame larger than it); the bytes to send.</summary>
    private int Fill()
    {
        if (!_outbound.TryPeek(out var first)) return 0;
        // Back to the usual buffer after one large frame needed a larger one.
        if (_sendBuffer is null || (_sendBuffer.Length > SendChunk && 4 + first.Length <= SendChunk))
        {
            if (_sendBuffer is not null) ArrayPool<byte>.Shared.Return(_sendBuffer);
            _sendBuffer = ArrayPool<byte>.Shared.Rent(SendChunk);
        }
        var length = 0;
        while (_outbound.TryPeek(out var next))
        {
            var frame = 4 + next.Length;
            if (length + frame > _sendBuffer.Length)
            {
                if (length > 0) break;
                ArrayPool<byte>.Shared.Return(_sendBuffer);
                _sendBuffer = ArrayPool<byte>.Shared.Rent(frame);
            }
            _outbound.TryDequeue(out _);
            WriteLength(_sendBuffer.AsSpan(length, 4), next.Length);
            next.Span.CopyTo(_sendBuffer.AsSpan(length + 4));
            if (next.Pooled is not null) ArrayPool<byte>.Shared.Return(next.Pooled);
            length += frame;
        }
        return length;
    }

    private void ShutOutput()
    {
        if (Interlocked.Exchange(ref _outputShut, 1) != 0) return;
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close();
        }
    }

    private void Fail(Exception e)
    {
        if (e is not ObjectDisposedException && Volatile.Read(ref _closed) == 0)
            _log.Debug("ActorPubSub transport: sending to {0} failed ({1}); closing the connection", RemoteAddress, e.Message);
        Close();
    }

    private async Task ReadLoop()
    {
        IHandleEventListener listener;
        try
        {
            listener = await ReadHandlerSource.Task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            Close();   // Akka gave the association up before reading it
            return;
        }
        var info = DisassociateInfo.Unknown;
        byte[]? buffer = null;
        int start = 0, end = 0;
        var filled = false;   // the last read filled the buffer: more is likely waiting
        try
        {
            while (true)
            {
                while (buffer is not null && end - start >= 4)
                {
                    var length = ReadLength(buffer.AsSpan(start, 4));
                    if (length < 0 || length > _settings.MaxFrameSize)
                        throw new FrameTooLongException(length, _settings.MaxFrameSize, RemoteAddress);
                    var buffered = end - start - 4;
                    if (buffered >= length)
                    {
                        if (!Direct(listener, buffer.AsSpan(start + 4, length)))
                            Deliver(listener, ByteString.CopyFrom(buffer, start + 4, length));
                        start += 4 + length;
                        continue;
                    }
                    if (length < OwnArrayFrom) break;
                    var frame = ArrayPool<byte>.Shared.Rent(length);
                    try
                    {
                        buffer.AsSpan(start + 4, buffered).CopyTo(frame);
                        start = end = 0;
                        for (var at = buffered; at < length;)
                        {
                            var read = await _socket.ReceiveAsync(frame.AsMemory(at, length - at), SocketFlags.None).ConfigureAwait(false);
                            if (read == 0) return;
                            at += read;
                        }
                        if (!Direct(listener, frame.AsSpan(0, length))) Deliver(listener, ByteString.CopyFrom(frame, 0, length));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(frame);
                    }
                }
                if (start == end)
                {
                    start = end = 0;
                    // Nothing pending and nothing more seen: wait for data without a buffer (a zero-byte read, as
                    // Kestrel waits), so an idle connection holds no memory; a busy one keeps its buffer.
                    if (buffer is not null && !filled)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }
                }
                else if (start > 0)
                {
                    // Keep the partial frame (under OwnArrayFrom) at the front, so the rest of it fits.
                    Buffer.BlockCopy(buffer!, start, buffer!, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (buffer is null)
                {
                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
                }
                var received = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (received == 0) return;   // the peer closed
                end += received;
                filled = end == buffer.Length;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.OperationAborted)
        {
            info = DisassociateInfo.Shutdown;
        }
        catch (ObjectDisposedException)
        {
            // Closed on this side.
        }
        catch (Exception e)
        {
            if (Volatile.Read(ref _closed) == 0)
                _log.Error(e, "ActorPubSub transport: reading from {0} failed; closing the connection", RemoteAddress);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            Close();
            if (Interlocked.Exchange(ref _told, 1) == 0) listener.Notify(new Disassociated(info));
        }
    }

    private void Deliver(IHandleEventListener listener, ByteString payload)
    {
        _handshakePassed = true;
        // After Disassociate the peer's last frames are read and dropped, as Akka's own transport drains them.
        if (!_closing) listener.Notify(new InboundPayload(payload));
    }

    /// <summary>Tells a topic-protocol message to its recipient past Akka's endpoint actors (<see cref="DirectDispatch"/>); false leaves the frame to Akka.</summary>
    private bool Direct(IHandleEventListener listener, ReadOnlySpan<byte> frame)
    {
        if (_direct is null || !_handshakePassed) return false;
        if (_closing) return true;   // dropped, as Deliver drops it
        if (!_direct.TryDispatch(frame, out var ackOnly)) return false;
        if (ackOnly is not null) listener.Notify(new InboundPayload(ackOnly));
        return true;
    }

    private void WriteLength(Span<byte> at, int length)
    {
        if (_settings.LittleEndian) BinaryPrimitives.WriteInt32LittleEndian(at, length);
        else BinaryPrimitives.WriteInt32BigEndian(at, length);
    }

    private int ReadLength(ReadOnlySpan<byte> at) =>
        _settings.LittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(at) : BinaryPrimitives.ReadInt32BigEndian(at);

    public override string ToString() => $"SocketAssociation({LocalAddress} <-> {RemoteAddress})";
}
