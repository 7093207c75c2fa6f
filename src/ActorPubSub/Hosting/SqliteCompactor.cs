using Akka.Actor;
using Akka.Event;

namespace ActorPubSub.Hosting;

/// <summary>
/// Runs <see cref="SqliteCompaction"/> every <see cref="SqliteCompactionSettings.Interval"/> on the thread pool (never on
/// the actor's thread), one run at a time, so a drained backlog shrinks the SQLite files. Started by
/// <c>WithActorPubSub</c> on SQLite topic nodes.
/// </summary>
internal sealed class SqliteCompactor : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private sealed record Done(CompactionResult? Result, Exception? Error);

    private readonly SqliteCompaction _compaction;
    private readonly SqliteCompactionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private bool _running;
    private bool _checkedMode;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SqliteCompaction compaction, SqliteCompactionSettings settings) =>
        Akka.Actor.Props.Create(() => new SqliteCompactor(compaction, settings));

    // public: Props.Create finds no private constructor
    public SqliteCompactor(SqliteCompaction compaction, SqliteCompactionSettings settings)
    {
        (_compaction, _settings) = (compaction, settings);
        Receive<Tick>(_ => Start());
        Receive<Done>(Finish);
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.Interval, _settings.Interval);

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Start()
    {
        if (_running) return;   // a slow run (a busy database) is not stacked up behind
        _running = true;
        var compaction = _compaction;
        var token = _stopping.Token;
        Task.Run(() => compaction.Run(token), token)
            .PipeTo(Self, success: r => new Done(r, null), failure: e => new Done(null, e));
    }

    private void Finish(Done done)
    {
        _running = false;
        if (done.Error is { } error)
        {
            // SQLITE_BUSY after the busy timeout, mostly: the next interval tries again
            _log.Debug("SQLite compaction of {0} did not finish: {1}", _compaction.DatabaseFile, error.GetBaseException().Message);
            return;
        }

        var r = done.Result!;
        if (!_checkedMode)
        {
            _checkedMode = true;
            if (r.AutoVacuum != SqliteAutoVacuum.Incremental)
                _log.Warning(
                    "SQLite file {0} was created with auto_vacuum = {1}: it does not shrink when acknowledged messages are deleted " +
                    "(free pages are reused). To convert it, stop the node and run: sqlite3 {0} \"PRAGMA auto_vacuum = INCREMENTAL; VACUUM;\"",
                    _compaction.DatabaseFile, r.AutoVacuum.ToString().ToUpperInvariant());
        }
        if (r.ChangedAnything && _log.IsDebugEnabled)
            _log.Debug("SQLite compaction of {0}: {1}", _compaction.DatabaseFile,
                $"reclaimed {r.ReclaimedBytes} bytes ({r.FreeBytesLeft} bytes free left), database {r.DatabaseBytesBefore} -> " +
                $"{r.DatabaseBytesAfter} bytes, WAL {r.WalBytesBefore} -> {r.WalBytesAfter} bytes" +
                (r.WalTruncated == false ? " (WAL checkpoint busy, tried again next time)" : ""));
    }
}
