using Coinshard.Storage;
using Coinshard.TestSupport;

using Npgsql;

using Xunit;

namespace Coinshard.Indexing.Tests.Support;

/// <summary>The engines the follower tests run on.</summary>
public enum Engine
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A fresh database per test: an SQLite file in a temporary directory, or a PostgreSQL schema in the
/// database named by COINSHARD_TEST_POSTGRES (scripts/test.sh starts a throwaway server).
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly TempDirectory? _directory;
    private readonly string? _schema;

    private TestStore(StoreOptions options, TempDirectory? directory, string? schema)
    {
        Options = options;
        _directory = directory;
        _schema = schema;
    }

    public StoreOptions Options { get; }

    public static async Task<TestStore> CreateAsync(Engine engine)
    {
        if (engine == Engine.Sqlite)
        {
            var directory = new TempDirectory("index");
            return new TestStore(StoreOptions.Sqlite(directory.Combine("coinshard.db")), directory, null);
        }
        var admin = PostgresFactAttribute.ConnectionString
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.RequireVariable}=1 but {PostgresFactAttribute.ConnectionVariable} is not set");
        var schema = "ix_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var options = StoreOptions.PostgreSql(new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString);
        return new TestStore(options, null, schema);
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory?.Dispose();
        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
