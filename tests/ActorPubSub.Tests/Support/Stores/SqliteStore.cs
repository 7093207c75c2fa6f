using ActorPubSub.Hosting;
using Microsoft.Data.Sqlite;

namespace ActorPubSub.Tests.Support.Stores;

/// <summary>A <see cref="TempDatabase"/> as a <see cref="TestStore"/>.</summary>
public sealed class SqliteStore : TestStore
{
    private readonly TempDatabase _file = new();

    public override StoreKind Kind => StoreKind.Sqlite;

    public string File => _file.File;

    public override PubSubOptions Apply(PubSubOptions options)
    {
        options.SqliteFile = _file.File;
        return options;
    }

    public override async Task<long> QueryAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_file.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return ToLong(await command.ExecuteScalarAsync());
    }

    public override ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }
}
