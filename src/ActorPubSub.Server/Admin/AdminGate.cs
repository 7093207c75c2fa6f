namespace ActorPubSub.Server.Admin;

/// <summary>
/// Bounds how many admin commands run at once, so a script hammering the endpoint (or many open tails) cannot take the
/// host's threads or actors away from its real work: past the bound a request is refused at once (429), never queued.
/// </summary>
internal sealed class AdminGate
{
    public const int MaxCommands = 8;
    public const int MaxStreams = 16;

    private readonly SemaphoreSlim _commands = new(MaxCommands, MaxCommands);
    private readonly SemaphoreSlim _streams = new(MaxStreams, MaxStreams);

    /// <summary>A slot to release when the command ends, or null when all are taken.</summary>
    public IDisposable? TryEnter(bool streaming)
    {
        var gate = streaming ? _streams : _commands;
        return gate.Wait(0) ? new Slot(gate) : null;
    }

    private sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
