namespace ActorPubSub.Bench;

/// <summary>A one-line progress bar on stderr (stdout stays clean for tables and JSON), redrawn every 2%.</summary>
internal sealed class Progress(string label, long total, bool enabled) : IDisposable
{
    private readonly bool _enabled = enabled && !Console.IsErrorRedirected;
    private readonly long _step = Math.Max(1, total / 50);
    private long _done;

    public void Add(long n)
    {
        var done = Interlocked.Add(ref _done, n);
        if (_enabled && done / _step != (done - n) / _step) Draw(done);
    }

    private void Draw(long done)
    {
        const int width = 30;
        var filled = (int)(width * Math.Min(1.0, (double)done / total));
        lock (this) Console.Error.Write($"\r{label,-14} [{new string('#', filled)}{new string('.', width - filled)}] {done:N0}/{total:N0} ");
    }

    public void Dispose()
    {
        if (_enabled) lock (this) Console.Error.Write("\r" + new string(' ', 90) + "\r");
    }
}
