using System.Text;
using Npgsql;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// What the database's sessions are doing (<c>pg_stat_activity</c>): printed when a fault test times out, since a
/// stalled topic is often a journal write waiting on a lock that a paused or cut-off broker's transaction holds.
/// </summary>
public static class PostgreSqlActivity
{
    public static async Task<string> DescribeAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT pid, client_addr, client_port, state, wait_event_type, wait_event, now() - xact_start AS xact_age, " +
                "pg_blocking_pids(pid) AS blocked_by, left(query, 120) FROM pg_stat_activity " +
                "WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY xact_start NULLS LAST", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var text = new StringBuilder("PostgreSQL sessions (pid, client, state, wait, transaction age, blocked by, query):\n");
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? "-" : reader.GetValue(i) is int[] pids ? $"[{string.Join(",", pids)}]" : reader.GetValue(i).ToString();
                    text.Append(value).Append(i + 1 < reader.FieldCount ? " | " : "\n");
                }
            }
            return text.ToString();
        }
        catch (NpgsqlException e)
        {
            return $"PostgreSQL sessions: not available ({e.Message})";
        }
    }
}
