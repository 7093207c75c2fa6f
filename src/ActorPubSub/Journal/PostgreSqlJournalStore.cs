using Npgsql;
using NpgsqlTypes;

namespace ActorPubSub.Journal;

/// <summary>
/// Inserts journal rows into PostgreSQL as one batch of prepared INSERTs in one transaction: one round trip for the
/// rows and one for the commit. Npgsql keeps a prepared statement on its physical connection, so after the first batch
/// on a connection the server only binds and executes.
/// </summary>
internal sealed class PostgreSqlJournalStore(string connectionString, string insertSql, string? writerUuid) : IJournalStore
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);
    private readonly bool _withWriter = insertSql.Contains("$7", StringComparison.Ordinal);

    /// <summary>A PostgreSQL commit is durable when it returns (as the server's <c>synchronous_commit</c> says).</summary>
    public bool SyncsSeparately => false;

    public void Sync() { }

    public async Task InsertAsync(IReadOnlyList<IReadOnlyList<JournalInsert>> writes, CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var rows in writes)
            foreach (var row in rows)
            {
                var command = new NpgsqlBatchCommand(insertSql);
                var p = command.Parameters;
                p.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = row.PersistenceId });
                p.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = row.SequenceNr });
                p.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = row.Created });
                p.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = row.Manifest });
                p.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = row.Message });
                p.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = row.SerializerId });
                if (_withWriter)
                    p.Add(writerUuid is null
                        ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = DBNull.Value }
                        : new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = writerUuid });
                batch.BatchCommands.Add(command);
            }
        await batch.PrepareAsync(ct);
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
