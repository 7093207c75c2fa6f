using Akka.Persistence.Sql.Config;

namespace ActorPubSub.Journal;

/// <summary>
/// The journal table's INSERT, with the table and column names Akka.Persistence.Sql maps (its <c>table-mapping</c>
/// and <c>columns</c> settings), quoted as written: the table is the one its own reads and deletes use.
/// </summary>
internal static class JournalTable
{
    /// <summary>
    /// The INSERT of one row, with parameters named by <paramref name="parameter"/> (0..6: persistence id, sequence nr,
    /// created, manifest, message, serializer id, writer uuid). <c>deleted</c> is written false, as every new row.
    /// </summary>
    public static string InsertSql(JournalTableConfig table, string falseLiteral, Func<int, string> parameter)
    {
        var c = table.EventJournalTable.ColumnNames;
        var name = Quote(table.EventJournalTable.Name);
        if (!string.IsNullOrEmpty(table.SchemaName)) name = Quote(table.SchemaName) + "." + name;
        var columns = new[] { c.PersistenceId, c.SequenceNumber, c.Created, c.Manifest, c.Message, c.Identifier };
        var values = Enumerable.Range(0, columns.Length).Select(parameter).ToList();
        var columnList = string.Join(", ", columns.Select(Quote)) + ", " + Quote(c.Deleted);
        var valueList = string.Join(", ", values) + ", " + falseLiteral;
        if (table.EventJournalTable.UseWriterUuidColumn)
        {
            columnList += ", " + Quote(c.WriterUuid);
            valueList += ", " + parameter(6);
        }
        return $"INSERT INTO {name} ({columnList}) VALUES ({valueList})";
    }

    // Both SQLite and PostgreSQL take "..." for an identifier; a name from the settings never holds a quote.
    private static string Quote(string identifier) =>
        identifier.Contains('"', StringComparison.Ordinal)
            ? throw new ArgumentException($"A journal table or column name may not contain '\"': {identifier}")
            : $"\"{identifier}\"";
}
