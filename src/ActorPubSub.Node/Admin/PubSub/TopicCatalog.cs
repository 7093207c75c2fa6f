using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// Every topic that exists, from the topics' journal: a topic exists once it persisted an event, and its persistence id
/// (<c>topic:&lt;name&gt;</c>) stays in the journal table for good (Akka.Persistence.Sql keeps the highest row when a topic
/// deletes its old events after a snapshot). Cluster.Sharding cannot say this: it knows only the topics running now,
/// and idle topics passivate.
/// </summary>
/// <remarks>
/// A direct, read-only <c>SELECT DISTINCT persistence_id</c> through the journal's own connection string, provider and
/// table mapping (read from its configuration). Akka.Persistence.Query's <c>CurrentPersistenceIds</c> would give the
/// same ids, but its SQL read journal starts a sequence actor on first use that polls the journal every second for the
/// rest of the node's life; a listing an operator asks now and then should not leave that behind. Paging (a name
/// prefix, names after a given one, a limit) runs in the database, so 100,000 topics cost one page.
/// </remarks>
internal static partial class TopicCatalog
{
    private const string Prefix = "topic:";

    public sealed record Page(IReadOnlyList<string> Topics, long Total, string? NextAfter);

    public static async Task<Page> ListAsync(ActorSystem system, string? namePrefix, string? after, int limit, CancellationToken cancellationToken)
    {
        var journal = Journal.Read(system.Settings.Config);
        await using var connection = journal.Open();
        await connection.OpenAsync(cancellationToken);

        var pid = journal.Column;
        var idPrefix = Prefix + (namePrefix ?? "");
        // substr(x, 1, n) = prefix rather than LIKE: topic names may contain '_', a LIKE wildcard.
        var where = $"substr({pid}, 1, {idPrefix.Length.ToString(CultureInfo.InvariantCulture)}) = @prefix";

        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(DISTINCT {pid}) FROM {journal.Table} WHERE {where}";
        Add(count, "@prefix", idPrefix);
        long total;
        try
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            // Akka.Persistence.Sql creates the journal table with the first write: a new node has no topic yet.
            return new Page([], 0, null);
        }

        await using var page = connection.CreateCommand();
        page.CommandText = $"SELECT DISTINCT {pid} FROM {journal.Table} WHERE {where}"
                           + (after is null ? "" : $" AND {pid} > @after")
                           + $" ORDER BY {pid} LIMIT {(limit + 1).ToString(CultureInfo.InvariantCulture)}";
        Add(page, "@prefix", idPrefix);
        if (after is not null) Add(page, "@after", Prefix + after);
        var topics = new List<string>();
        await using (var reader = await page.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) topics.Add(reader.GetString(0)[Prefix.Length..]);
        }
        var more = topics.Count > limit;
        if (more) topics.RemoveAt(topics.Count - 1);
        return new Page(topics, total, more ? topics[^1] : null);
    }

    // SQLite: "no such table" (SQLITE_ERROR); PostgreSQL: undefined_table (42P01)
    private static bool IsMissingTable(DbException e) => e switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 1 && sqlite.Message.Contains("no such table", StringComparison.Ordinal),
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UndefinedTable,
        _ => false,
    };

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Where the topics' journal is: provider, connection string, quoted table and persistence-id column.</summary>
    private sealed record Journal(string Provider, string ConnectionString, string Table, string Column)
    {
        public static Journal Read(Config config)
        {
            var plugin = config.GetConfig($"akka.persistence.journal.{PubSubHostingExtensions.PersistencePluginId}")
                         ?? throw AdminException.Unavailable("this node has no topic journal configured");
            var mapping = plugin.GetString("table-mapping", "default");
            var schema = plugin.GetString($"{mapping}.schema-name", "");
            var table = Quote(plugin.GetString($"{mapping}.journal.table-name", "journal"));
            return new Journal(
                plugin.GetString("provider-name", ""),
                plugin.GetString("connection-string", ""),
                string.IsNullOrEmpty(schema) ? table : $"{Quote(schema)}.{table}",
                Quote(plugin.GetString($"{mapping}.journal.columns.persistence-id", "persistence_id")));
        }

        public DbConnection Open()
        {
            if (Provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase)) return new SqliteConnection(ConnectionString);
            if (Provider.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase)) return new NpgsqlConnection(ConnectionString);
            throw AdminException.Unavailable($"listing topics is not supported on journal provider '{Provider}' (SQLite and PostgreSQL are)");
        }

        // Identifiers come from the node's configuration, not from a request; still, only plain names are put into SQL.
        private static string Quote(string identifier) => IdentifierPattern().IsMatch(identifier)
            ? $"\"{identifier}\""
            : throw AdminException.Unavailable($"the journal's table or column name '{identifier}' is not a plain SQL name");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
