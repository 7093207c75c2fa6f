using System.Data;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>Resolves the journal's connection string and linq2db provider from the options.</summary>
internal static class PubSubStorage
{
    public const string DefaultSqliteFile = "./data/actorpubsub.db";

    /// <summary>The most journal rows (events) one SQLite transaction takes from the write queue (it takes at least one write).</summary>
    public const int SqliteBatchRows = 400;


    /// <summary>How long a PostgreSQL session may sit in an open transaction before the server ends it.</summary>
    public static readonly TimeSpan IdleInTransactionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Adds <c>idle_in_transaction_session_timeout</c> to the session options unless the connection string sets one.
    /// A node frozen between a journal INSERT and its COMMIT (SIGSTOP, a long GC or VM pause) otherwise keeps the new
    /// rows' unique-key locks, and the topic's next incarnation on another node blocks on them until the frozen
    /// process dies or wakes; with the guard the server rolls the frozen transaction back (nothing of it was
    /// confirmed) and the new incarnation proceeds.
    /// </summary>
    internal static string WithTransactionGuard(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal) == true)
            return connectionString;
        var guard = $"-c idle_in_transaction_session_timeout={(long)IdleInTransactionTimeout.TotalMilliseconds}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? guard : builder.Options + " " + guard;
        return builder.ConnectionString;
    }

    /// <summary>The SQLite file of <paramref name="options"/> (absolute).</summary>
    public static string SqlitePath(PubSubOptions options) => Path.GetFullPath(options.SqliteFile ?? DefaultSqliteFile);

    /// <summary>The journal and snapshot store of the topics, under <paramref name="pluginId"/> (not the default plugins).</summary>
    public static (SqlJournalOptions Journal, SqlSnapshotOptions Snapshots) Resolve(PubSubOptions options, string pluginId)
    {
        var journal = new SqlJournalOptions(isDefaultPlugin: false, identifier: pluginId) { AutoInitialize = true };
        var snapshots = new SqlSnapshotOptions(isDefaultPlugin: false, identifier: pluginId) { AutoInitialize = true };
        if (options.PostgreSqlConnectionString is { } pg)
        {
            journal.ConnectionString = snapshots.ConnectionString = WithTransactionGuard(pg);
            journal.ProviderName = snapshots.ProviderName = ProviderName.PostgreSQL15;
            return (journal, snapshots);
        }

        var file = SqlitePath(options);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        PrepareFile(connectionString);
        journal.ConnectionString = snapshots.ConnectionString = connectionString;
        journal.ProviderName = snapshots.ProviderName = ProviderName.SQLiteMS;
        journal.DataOptions = snapshots.DataOptions = new DataOptions()
            .UseConnectionString(ProviderName.SQLiteMS, connectionString)
            .UseInterceptor(new SqliteConnectionSetup(options.SqliteSynchronous ?? SqliteSynchronous.Full));
        // Microsoft.Data.Sqlite starts every transaction but a ReadUncommitted one with BEGIN IMMEDIATE, which
        // takes the write lock: recoveries then queue behind each other and behind every write, each blocking a
        // thread in the busy handler (10,000 topics recovered at ~65/s, with thread-pool starvation). ReadUncommitted
        // gives a deferred BEGIN; without shared cache SQLite's read_uncommitted has no effect, so reads still
        // see only committed data (a WAL snapshot).
        journal.ReadIsolationLevel = snapshots.ReadIsolationLevel = IsolationLevel.ReadUncommitted;
        return (journal, snapshots);
    }

    /// <summary>
    /// Journal writer settings for events that are few but large (a group commit holds up to thousands of
    /// messages): rows go to the database as parameters, not as SQL text (linq2db's default for multi-row
    /// inserts renders each blob as a hex literal, which cost more CPU than the insert). SQLite takes one
    /// writer at a time, so its journal writes one batch at a time, and that batch carries the events of
    /// every topic that queued meanwhile: one transaction and one fsync for many topics. PostgreSQL keeps
    /// the plugin's concurrent writers.
    /// </summary>
    public static string JournalTuning(PubSubOptions options, string pluginId)
    {
        // FULL with delivery before the fsync: the writer commits as NORMAL does and fsyncs the WAL itself, as FULL would.
        var synchronous = options.SqliteSynchronous ?? SqliteSynchronous.Full;
        var syncSeparately = synchronous == SqliteSynchronous.Full && options.DeliverBeforeSync != false;
        var sqliteWriter = options.PostgreSqlConnectionString is null
            ? $"parallelism = 1, batch-size = {SqliteBatchRows}, {Journal.TopicWriteJournal.SqlitePragmasKey} = " +
              $"\"{SqliteConnectionSetup.Pragmas(syncSeparately ? SqliteSynchronous.Normal : synchronous, SqliteConnectionSetup.BusyTimeout)}\", " +
              $"{Journal.TopicWriteJournal.SqliteSyncSeparatelyKey} = {(syncSeparately ? "on" : "off")}"
            : "";
        // Akka.Persistence.Sql's journal with ActorPubSub's own writes (prepared INSERTs): see TopicWriteJournal.
        var journalClass = $"class = \"{typeof(Journal.TopicWriteJournal).FullName}, {typeof(Journal.TopicWriteJournal).Assembly.GetName().Name}\"";
        // The circuit breakers open after a run of failures (a database outage) and refuse every call until the reset
        // timeout; with Akka.Persistence's 30 s a topic stayed down ~55 s after its database came back (a client's
        // publish times out at 30 s). A short reset tries again soon; the failures it lets through are cheap.
        const string breaker = "circuit-breaker { max-failures = 10, call-timeout = 10s, reset-timeout = 2s }";
        return $"akka.persistence.journal.{pluginId} {{ {journalClass}, prefer-parameters-on-multirow-insert = on, {sqliteWriter} }}\n" +
               $"akka.persistence.journal.{pluginId}.{breaker}\n" +
               $"akka.persistence.snapshot-store.{pluginId}.{breaker}\n";
    }

    /// <summary>
    /// The file-wide settings, stored in the database file, so setting them once covers every later connection:
    /// WAL lets the journal's reads (recovery) run beside its writes; a new database (no tables yet) also gets
    /// <c>auto_vacuum = INCREMENTAL</c>, without which deleted journal rows leave free pages the file never gives back
    /// (<see cref="SqliteCompaction"/> cuts them off). SQLite takes auto_vacuum only before the first table is created:
    /// an existing database keeps its mode, and <see cref="SqliteCompactor"/> logs how to convert it.
    /// (The synchronous level is per connection: <see cref="SqliteConnectionSetup"/>.)
    /// </summary>
    internal static void PrepareFile(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table';";
        var tables = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = tables == 0 ? "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode=WAL;" : "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
