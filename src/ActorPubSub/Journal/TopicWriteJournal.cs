using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Journal;
using Akka.Serialization;
using Akka.Util;

namespace ActorPubSub.Journal;

/// <summary>
/// The topics' journal: Akka.Persistence.Sql's <see cref="SqlWriteJournal"/>, its tables, reads, replays and deletes,
/// with writes of its own. Each write goes to <see cref="JournalWriteQueue"/> as rows for a prepared INSERT on SQLite or
/// PostgreSQL (<see cref="IJournalStore"/>), into the same table and columns the plugin reads.
/// </summary>
/// <remarks>
/// <para>Why: the plugin builds each multi-row INSERT through linq2db's query builder. On a broker that was a sixth of the
/// node's CPU at full load, and the largest part of the JIT work in a node's first minute (linq2db compiles its
/// expression trees per shape of batch). A prepared statement is compiled once.</para>
/// <para>What stays the plugin's: table creation, replay, the highest sequence number, deletes, and writes this class
/// does not handle (tagged events, the event-manifest column, the tag modes other than the tag table, and databases
/// other than SQLite and PostgreSQL), which go to the plugin's own writer.</para>
/// <para>Like the plugin, a read of the highest sequence number waits for the same persistence id's write in
/// progress, so a topic restarted on this node recovers what its previous incarnation had in flight.</para>
/// </remarks>
internal sealed class TopicWriteJournal : SqlWriteJournal
{
    /// <summary>A write of ours finished (sent to self, so the map of writes in progress is touched by the actor only).</summary>
    private sealed record WriteDone(string PersistenceId, Task Write) : INoSerializationVerificationNeeded;

    /// <summary>
    /// The plugin setting with the statements the SQLite writer runs on its connection when it opens it (the hosting
    /// writes the same pragmas the plugin's own connections get). Without it, SQLite writes go to the plugin's writer.
    /// </summary>
    public const string SqlitePragmasKey = "actorpubsub-sqlite-pragmas";

    /// <summary>
    /// The plugin setting that has the SQLite writer fsync the WAL itself after each commit (its pragmas then say
    /// <c>synchronous = NORMAL</c>), so a write is written before it is synced (see <see cref="SyncNotices"/>).
    /// </summary>
    public const string SqliteSyncSeparatelyKey = "actorpubsub-sqlite-sync-separately";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Serialization.Serialization _serialization = Context.System.Serialization;
    private readonly string? _defaultSerializer;
    private readonly JournalWriteQueue? _queue;
    private readonly SyncNotices? _notices;
    private readonly Dictionary<string, Task> _inProgress = new();

    public TopicWriteJournal(Config journalConfig) : base(journalConfig)
    {
        var config = journalConfig.WithFallback(SqlPersistence.DefaultJournalConfiguration);
        var settings = new JournalConfig(config);
        _defaultSerializer = settings.DefaultSerializer;
        var store = CreateStore(settings, config, out var reason);
        if (store is null)
        {
            _log.Info("The journal {0} writes through Akka.Persistence.Sql's own writer: {1}", settings.PluginId ?? "", reason);
            return;
        }
        _queue = new JournalWriteQueue(store, settings.DaoConfig.BatchSize, settings.DaoConfig.Parallelism, settings.DaoConfig.BufferSize);
        if (_queue.SyncsSeparately)
        {
            _notices = SyncNotices.For(Context.System);
            _notices.JournalSplits(Self);
        }
    }

    private static IJournalStore? CreateStore(JournalConfig settings, Config config, out string reason)
    {
        reason = "";
        if (settings.PluginConfig.TagMode != TagMode.TagTable) reason = $"tag-write-mode is {settings.PluginConfig.TagMode}";
        else if (settings.TableConfig.UseEventManifestColumn) reason = "the table has an event-manifest column";
        else if (string.IsNullOrEmpty(settings.ConnectionString)) reason = "no connection-string is set";
        if (reason.Length > 0) return null;

        // The plugin writes one writer id per journal instance (not per persistent actor) when the column is in use.
        var writerUuid = settings.TableConfig.EventJournalTable.UseWriterUuidColumn ? Guid.NewGuid().ToString("N") : null;
        if (settings.ProviderName.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase))
        {
            // The pragmas (busy timeout, synchronous level) are the hosting's to choose; it always writes them.
            var pragmas = config.GetString(SqlitePragmasKey, "");
            if (pragmas.Length == 0)
            {
                reason = $"no {SqlitePragmasKey} setting";
                return null;
            }
            return new SqliteJournalStore(settings.ConnectionString,
                JournalTable.InsertSql(settings.TableConfig, "0", i => $"$p{i}"), writerUuid, pragmas,
                syncSeparately: config.GetBoolean(SqliteSyncSeparatelyKey, false));
        }
        if (settings.ProviderName.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase))
            return new PostgreSqlJournalStore(settings.ConnectionString,
                JournalTable.InsertSql(settings.TableConfig, "false", i => $"${i + 1}"), writerUuid);
        reason = $"provider {settings.ProviderName} has no writer of ActorPubSub's";
        return null;
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        if (_queue is null || writes.Count == 0 || writes.Any(w => Events(w).Any(e => e.Payload is Tagged)))
            return base.WriteMessagesAsync(writes, cancellationToken);

        var ticks = DateTime.UtcNow.Ticks;
        var rows = new List<JournalInsert>();
        Exception?[]? rejections = null;
        for (var i = 0; i < writes.Count; i++)
        {
            var start = rows.Count;
            try
            {
                foreach (var e in Events(writes[i])) rows.Add(Serialize(e, ticks));
            }
            catch (Exception ex)
            {
                // A payload that does not serialize rejects its atomic write only (the persistent actor goes on);
                // the writes beside it are stored.
                rows.RemoveRange(start, rows.Count - start);
                rejections ??= new Exception?[writes.Count];
                rejections[i] = ex;
            }
        }

        var results = rejections is null ? null : (IImmutableList<Exception>)ImmutableList.CreateRange(rejections.Select(r => r!));
        var queued = rows.Count == 0 ? JournalWrite.Done : _queue.Write(rows, cancellationToken);
        var persistenceId = writes[0].PersistenceId;
        // In progress until durable: a recovery waits for the fsync too, so what it replays is on disk.
        var durable = queued.Synced;
        _inProgress[persistenceId] = durable;
        var self = Self;
        durable.ContinueWith(t => self.Tell(new WriteDone(persistenceId, t)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var write = durable;
        if (rows.Count > 0 && _notices?.ListenerOf(persistenceId) is { } listener)
        {
            // The listener takes the write as done once written, and hears of the fsync on its own.
            var upTo = rows[^1].SequenceNr;
            var written = queued.Written;
            durable.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) listener.Tell(new JournalSynced(upTo));
                else if (written.IsCompletedSuccessfully)
                    listener.Tell(new JournalSyncFailed(upTo, t.Exception?.InnerException ?? new OperationCanceledException("The journal's sync was cancelled.")));
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            write = written;
        }
        return write.ContinueWith(t =>
        {
            if (t.IsFaulted) throw t.Exception!.InnerExceptions.Count == 1 ? t.Exception.InnerException! : t.Exception;
            if (t.IsCanceled) throw new OperationCanceledException("The journal write was cancelled.");
            return results!;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static IEnumerable<IPersistentRepresentation> Events(AtomicWrite write) =>
        (IImmutableList<IPersistentRepresentation>)write.Payload;

    private JournalInsert Serialize(IPersistentRepresentation e, long ticks)
    {
        var serializer = _serialization.FindSerializerForType(e.Payload.GetType(), _defaultSerializer);
        // As the plugin does: with the transport information set, an IActorRef in an event serializes with this node's address.
        var (manifest, bytes) = Akka.Serialization.Serialization.WithTransport(_serialization.System, (serializer, e.Payload), state =>
        {
            var (s, payload) = state;
            var m = s switch
            {
                SerializerWithStringManifest withManifest => withManifest.Manifest(payload),
                { IncludeManifest: true } => payload.GetType().TypeQualifiedName(),
                _ => string.Empty,
            };
            return (m, s.ToBinary(payload));
        });
        return new JournalInsert(e.PersistenceId, e.SequenceNr, e.Timestamp == 0 ? ticks : e.Timestamp, manifest, bytes, serializer.Identifier);
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_inProgress.TryGetValue(persistenceId, out var write))
        {
            try { await write; }
            catch (Exception) { /* a failed write stored nothing: the highest number is the database's either way */ }
        }
        return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
    }

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is WriteDone done)
        {
            if (_inProgress.TryGetValue(done.PersistenceId, out var current) && current == done.Write)
                _inProgress.Remove(done.PersistenceId);
            return true;
        }
        return base.ReceivePluginInternal(message);
    }

    protected override void PostStop()
    {
        // Not awaited on the actor's thread: the queue fails what it still holds, then closes its connection.
        _queue?.DisposeAsync().AsTask().ContinueWith(t => _log.Warning(t.Exception, "The journal's writer did not stop cleanly"),
            TaskContinuationOptions.OnlyOnFaulted);
        base.PostStop();
    }
}
