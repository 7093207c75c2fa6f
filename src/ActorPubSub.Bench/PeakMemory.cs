namespace ActorPubSub.Bench;

/// <summary>Samples the process working set every 100 ms while a run lasts; reports the peak in MB.</summary>
internal sealed class PeakMemory
{
    private readonly Timer _timer;
    private long _peak;

    public PeakMemory()
    {
        Sample();
        _timer = new Timer(_ => Sample(), null, 100, 100);
    }

    private void Sample()
    {
        var ws = Environment.WorkingSet;
        long current;
        while (ws > (current = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, ws, current) != current) { }
    }

    public long Stop()
    {
        _timer.Dispose();
        Sample();
        return Interlocked.Read(ref _peak) / (1024 * 1024);
    }
}
