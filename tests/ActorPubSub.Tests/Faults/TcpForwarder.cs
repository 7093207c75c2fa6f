using System.Net;
using System.Net.Sockets;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Forwards TCP connections from an address of the test network to another endpoint: brokers in network namespaces
/// reach the test run's PostgreSQL (which listens on this machine's loopback only) through it, and a broker whose path
/// to the database is cut (<see cref="Cut"/>) goes through one of its own.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pipes = [];
    private readonly List<TcpClient> _held = [];
    private readonly Task _accepting;
    private CancellationTokenSource _cut = new();
    private bool _isCut;

    private TcpForwarder(IPAddress address, IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Listens on <paramref name="address"/> (a free port) and forwards each connection to <paramref name="target"/>.</summary>
    public static TcpForwarder Start(IPAddress address, IPEndPoint target) => new(address, target);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Drops the traffic as a cut cable or a DROP rule would: open connections stay open but nothing passes either way,
    /// and new ones are accepted and never answered (no reset, no refusal: the client only learns it by its timeouts).
    /// </summary>
    public void Cut()
    {
        lock (_held)
        {
            _isCut = true;
            _cut.Cancel();
        }
    }

    /// <summary>Forwards again: the connections held during the cut are closed (their sessions died), new ones pass.</summary>
    public void Heal()
    {
        lock (_held)
        {
            _isCut = false;
            _cut.Dispose();
            _cut = new CancellationTokenSource();
            foreach (var client in _held) client.Dispose();
            _held.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            lock (_pipes) _pipes.Add(PipeAsync(inbound));
        }
    }

    private async Task PipeAsync(TcpClient inbound)
    {
        CancellationToken cut;
        lock (_held)
        {
            if (_isCut)
            {
                _held.Add(inbound);
                return;
            }
            cut = _cut.Token;
        }
        var outbound = new TcpClient();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cut);
        try
        {
            await outbound.ConnectAsync(_target, stop.Token);
            var (a, b) = (inbound.GetStream(), outbound.GetStream());
            // Either side closing ends the connection (the copy of the other direction is cancelled with the sockets).
            await Task.WhenAny(a.CopyToAsync(b, stop.Token), b.CopyToAsync(a, stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client, the server or the test ended it: the forwarder only relays what each side does.
        }
        lock (_held)
        {
            // Cut mid-connection: keep both sockets open and silent until the heal (or the end).
            if (cut.IsCancellationRequested && !_stop.IsCancellationRequested)
            {
                _held.Add(inbound);
                _held.Add(outbound);
                return;
            }
        }
        inbound.Dispose();
        outbound.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pipes;
        lock (_pipes) pipes = [.. _pipes];
        await Task.WhenAll(pipes);
        Heal();
        _cut.Dispose();
        _stop.Dispose();
    }
}
