using Microsoft.Data.Sqlite;

namespace Coinshard.Storage.Tests.Conformance;

/// <summary>The conformance suite on SQLite: a fresh file in a fresh temporary directory per test.</summary>
public sealed class SqliteConformanceTests : ChainStoreConformanceTests
{
    private string _directory = "";
    private string _path = "";

    protected override Task CreateDatabaseAsync()
    {
        _directory = Directory.CreateTempSubdirectory("coinshard-store-").FullName;
        _path = Path.Combine(_directory, "coinshard.db");
        Options = StoreOptions.Sqlite(_path);
        return Task.CompletedTask;
    }

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    protected override async Task<object?> RawAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    protected override async Task<IAsyncDisposable> HoldWriterLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }
        return new Releaser(connection);
    }

    protected override async Task<string> SchemaAsync() =>
        (string)(await RawAsync(
            "SELECT group_concat(type || ' ' || name || ': ' || COALESCE(sql, ''), char(10)) FROM " +
            "(SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'bitcoin%' ORDER BY name)"))!;

    protected override string BlobLiteral(byte[] bytes) => $"X'{Convert.ToHexString(bytes)}'";

    internal override IReadOnlyList<Storage.Internal.Migration> GlobalMigrations => Storage.Sqlite.SqliteMigrations.Global;

    internal override IReadOnlyList<Storage.Internal.Migration> CurrencyMigrations => Storage.Sqlite.SqliteMigrations.Currency;

    private sealed class Releaser(SqliteConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }
    }
}
