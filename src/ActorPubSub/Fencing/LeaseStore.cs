using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorPubSub.Fencing;

/// <summary>
/// The two fencing tables in the topics' own database (PostgreSQL or SQLite), reached with the journal's connection string:
/// <c>actorpubsub_member_lease</c> (a topic node's lease: who, its ActorSystem, until when by the database's clock) and
/// <c>actorpubsub_topic_holder</c> (which member hosts a topic). Times are the database's (epoch milliseconds), so nodes
/// with skewed clocks agree on whether a lease lapsed. Each call opens a pooled connection; none is on a publish's path.
/// </summary>
internal sealed class LeaseStore
{
    private const string Leases = "actorpubsub_member_lease";
    private const string Holders = "actorpubsub_topic_holder";

    private readonly Func<DbConnection> _connect;
    private readonly string _now;          // SQL for "now" in epoch milliseconds, by the database's clock
    private readonly bool _sqlite;
    private volatile bool _created;

    private LeaseStore(Func<DbConnection> connect, string now, bool sqlite) => (_connect, _now, _sqlite) = (connect, now, sqlite);

    /// <summary>
    /// The store for the journal's connection: <paramref name="providerName"/> is the journal's linq2db provider name
    /// (PostgreSQL.* or SQLite.*); null for a provider it does not know (fencing is then off, and the node says so).
    /// </summary>
    public static LeaseStore? For(string providerName, string connectionString)
    {
        if (providerName.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase))
            return new LeaseStore(() => new NpgsqlConnection(connectionString),
                "(extract(epoch from clock_timestamp()) * 1000)::bigint", sqlite: false);
        if (providerName.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase))
            return new LeaseStore(() => new SqliteConnection(connectionString),
                "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)", sqlite: true);
        return null;
    }

    /// <summary>Writes (or extends) <paramref name="member"/>'s lease to now + <paramref name="ttl"/>.</summary>
    public async Task RenewAsync(string member, string cluster, TimeSpan ttl, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            $"INSERT INTO {Leases} (member, cluster, expires_at) VALUES (@member, @cluster, {_now} + @ttl) " +
            "ON CONFLICT (member) DO UPDATE SET cluster = excluded.cluster, expires_at = excluded.expires_at",
            ("member", member), ("cluster", cluster), ("ttl", (long)ttl.TotalMilliseconds));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Ends <paramref name="member"/>'s lease at once (a clean stop): its topics may be taken over by anyone.</summary>
    public async Task ReleaseAsync(string member, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"DELETE FROM {Leases} WHERE member = @member", ("member", member));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes <paramref name="topic"/>'s holder row if <paramref name="member"/> holds it; false when it does not.</summary>
    public async Task<bool> ReleaseTopicAsync(string topic, string member, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"DELETE FROM {Holders} WHERE topic = @topic AND member = @member",
            ("topic", topic), ("member", member));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Who holds <paramref name="topic"/> and how long its lease lasts; null when nobody ever did.</summary>
    public async Task<TopicHolder?> HolderAsync(string topic, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            $"SELECT h.member, COALESCE(l.expires_at - {_now}, -1) FROM {Holders} h LEFT JOIN {Leases} l ON l.member = h.member " +
            "WHERE h.topic = @topic", ("topic", topic));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new TopicHolder(reader.GetString(0), TimeSpan.FromMilliseconds(reader.GetInt64(1)));
    }

    /// <summary>
    /// Makes <paramref name="member"/> the holder of <paramref name="topic"/> if the holder is still
    /// <paramref name="expected"/> (null: nobody); false when another claim came first (compare-and-set).
    /// </summary>
    public async Task<bool> TakeAsync(string topic, string member, string? expected, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            $"INSERT INTO {Holders} (topic, member, since) VALUES (@topic, @member, {_now}) " +
            $"ON CONFLICT (topic) DO UPDATE SET member = excluded.member, since = excluded.since WHERE {Holders}.member = @expected",
            ("topic", topic), ("member", member), ("expected", (object?)expected ?? DBNull.Value));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = _connect();
        try
        {
            await connection.OpenAsync(ct);
            // These rows say who may serve, not what was confirmed: no fsync of their own on SQLite (WAL keeps them consistent).
            if (_sqlite) await Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000", ct);
            if (!_created)
            {
                try
                {
                    await Execute(connection,
                        $"CREATE TABLE IF NOT EXISTS {Leases} (member TEXT PRIMARY KEY, cluster TEXT NOT NULL, expires_at BIGINT NOT NULL);" +
                        $"CREATE TABLE IF NOT EXISTS {Holders} (topic TEXT PRIMARY KEY, member TEXT NOT NULL, since BIGINT NOT NULL)", ct);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
                {
                    // another node created them at the same moment (PostgreSQL's IF NOT EXISTS is not atomic across sessions)
                }
                _created = true;
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task Execute(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            // a null "expected" still needs a type for PostgreSQL to compare it with a text column
            if (value is DBNull or string) parameter.DbType = System.Data.DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
