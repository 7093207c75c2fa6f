using System.Net;
using System.Net.Sockets;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Forwards TCP connections from an address of the test network to another endpoint: brokers in network namespaces
/// reach the test run's PostgreSQL (which listens on this machine's loopback only) through it.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pipes = [];
    private readonly Task _accepting;

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
        using (inbound)
        using (var outbound = new TcpClient())
        {
            try
            {
                await outbound.ConnectAsync(_target, _stop.Token);
                var (a, b) = (inbound.GetStream(), outbound.GetStream());
                // Either side closing ends the connection (the copy of the other direction is cancelled with the sockets).
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client, the server or the test ended it: the forwarder only relays what each side does.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pipes;
        lock (_pipes) pipes = [.. _pipes];
        await Task.WhenAll(pipes);
        _stop.Dispose();
    }
}
