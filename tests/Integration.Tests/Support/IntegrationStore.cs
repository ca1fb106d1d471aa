using Coinshard.TestSupport;

using Npgsql;

using Xunit;

namespace Coinshard.Integration.Tests.Support;

/// <summary>The engines a scenario runs on.</summary>
public enum Engine
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The store of one <c>coinshard run</c> process: SQLite at its default path in the data directory, or a fresh
/// PostgreSQL schema in the database named by COINSHARD_TEST_POSTGRES (scripts/test.sh starts a throwaway server),
/// dropped on dispose.
/// </summary>
public sealed class IntegrationStore : IAsyncDisposable
{
    private readonly string? _schema;

    private IntegrationStore(Engine engine, IReadOnlyList<string> arguments, string? schema, string? connectionString)
    {
        Engine = engine;
        Arguments = arguments;
        _schema = schema;
        ConnectionString = connectionString;
    }

    public Engine Engine { get; }

    /// <summary>The <c>coinshard run</c> flags that select this store.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The PostgreSQL connection string (search path set to the schema); null for SQLite.</summary>
    public string? ConnectionString { get; }

    public static Task<IntegrationStore> SqliteAsync() => Task.FromResult(new IntegrationStore(Engine.Sqlite, [], null, null));

    /// <summary>A PostgreSQL database that does not exist (yet): <paramref name="database"/> on the shared test server.</summary>
    public static IntegrationStore MissingPostgreSqlDatabase(string database)
    {
        var server = PostgresFactAttribute.ConnectionString ?? throw new InvalidOperationException($"{PostgresFactAttribute.ConnectionVariable} is not set");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        return new IntegrationStore(Engine.PostgreSql, ["--postgres", connectionString], null, null);
    }

    public static async Task<IntegrationStore> CreateAsync(Engine engine) => engine == Engine.Sqlite ? await SqliteAsync() : await PostgreSqlAsync();

    /// <summary>A fresh schema on the shared test server; the process reaches it through <paramref name="viaPort"/> on loopback when given (a <see cref="TcpProxy"/>).</summary>
    public static async Task<IntegrationStore> PostgreSqlAsync(string? server = null, int? viaPort = null)
    {
        var admin = server ?? PostgresFactAttribute.ConnectionString
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.ConnectionVariable} is not set");
        var schema = "it_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema };
        if (viaPort is { } port)
        {
            builder.Host = "127.0.0.1";
            builder.Port = port;
        }
        return new IntegrationStore(Engine.PostgreSql, ["--postgres", builder.ConnectionString], schema, admin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_schema is null || ConnectionString is null)
        {
            return;
        }
        try
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A private server that is already gone took the schema with it.
        }
    }

    public override string ToString() => Engine.ToString();
}
