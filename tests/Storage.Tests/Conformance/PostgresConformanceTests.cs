using Coinshard.Storage.Tests.Infrastructure;

using Npgsql;

namespace Coinshard.Storage.Tests.Conformance;

/// <summary>
/// The conformance suite on PostgreSQL: a fresh schema per test in the database named by
/// COINSHARD_TEST_POSTGRES (scripts/test.sh starts a throwaway server and sets it).
/// </summary>
[RequiresPostgres]
public sealed class PostgresConformanceTests : ChainStoreConformanceTests
{
    private string _admin = "";
    private string _schema = "";

    protected override async Task CreateDatabaseAsync()
    {
        (_admin, _schema, Options) = await PostgresTestDatabase.CreateSchemaAsync();
    }

    protected override Task DropDatabaseAsync() => PostgresTestDatabase.DropSchemaAsync(_admin, _schema);

    protected override async Task<object?> RawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    protected override async Task<IAsyncDisposable> HoldWriterLockAsync()
    {
        var connection = new NpgsqlConnection(Options.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT * FROM coinshard_leases FOR UPDATE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }
        return new Releaser(connection, transaction);
    }

    protected override async Task<string> SchemaAsync() =>
        (string)(await RawAsync(
            "SELECT string_agg(d, E'\\n' ORDER BY d) FROM (" +
            "SELECT 'index ' || indexname || ': ' || indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'bitcoin%' " +
            "UNION ALL SELECT 'view ' || viewname || ': ' || definition FROM pg_views WHERE schemaname = current_schema() AND viewname LIKE 'bitcoin%' " +
            "UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns " +
            "WHERE table_schema = current_schema() AND table_name LIKE 'bitcoin%') s"))!;

    protected override string BlobLiteral(byte[] bytes) => $"'\\x{Convert.ToHexString(bytes)}'::bytea";

    internal override IReadOnlyList<Storage.Internal.Migration> GlobalMigrations => Storage.PostgreSql.PostgresMigrations.Global;

    internal override IReadOnlyList<Storage.Internal.Migration> CurrencyMigrations => Storage.PostgreSql.PostgresMigrations.Currency;

    private sealed class Releaser(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}

/// <summary>Creates and drops the per-test schemas on the PostgreSQL named by COINSHARD_TEST_POSTGRES.</summary>
internal static class PostgresTestDatabase
{
    public static string AdminConnectionString =>
        RequiresPostgresAttribute.ConnectionString
        ?? throw new InvalidOperationException(
            $"{RequiresPostgresAttribute.RequireVariable}=1 but {RequiresPostgresAttribute.ConnectionVariable} is not set: " +
            "the PostgreSQL variants must run (start PostgreSQL with ./scripts/test.sh)");

    public static async Task<(string Admin, string Schema, StoreOptions Options)> CreateSchemaAsync()
    {
        var admin = AdminConnectionString;
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema };
        return (admin, schema, StoreOptions.PostgreSql(builder.ConnectionString));
    }

    public static async Task DropSchemaAsync(string admin, string schema)
    {
        if (schema.Length == 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
