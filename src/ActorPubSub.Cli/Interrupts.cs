namespace ActorPubSub.Cli;

/// <summary>
/// Ctrl-C stops the running command (a tail ends, the prompt comes back), not pbm: the program's CancelKeyPress handler
/// calls <see cref="Interrupt"/>, and only when no command runs does Ctrl-C end pbm.
/// </summary>
public sealed class Interrupts
{
    private CancellationTokenSource? _running;

    /// <summary>A cancellation for the command about to run; pass it to <see cref="End"/> when it is done.</summary>
    public CancellationTokenSource Begin(CancellationToken outer)
    {
        var command = CancellationTokenSource.CreateLinkedTokenSource(outer);
        Volatile.Write(ref _running, command);
        return command;
    }

    public void End(CancellationTokenSource command)
    {
        Interlocked.CompareExchange(ref _running, null, command);
        command.Dispose();
    }

    /// <summary>Stops the running command; false when none runs.</summary>
    public bool Interrupt()
    {
        if (Volatile.Read(ref _running) is not { } running) return false;
        try
        {
            running.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false;   // it had just ended
        }
        return true;
    }
}
