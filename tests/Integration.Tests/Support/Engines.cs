using Coinshard.TestSupport;

namespace Coinshard.Integration.Tests.Support;

/// <summary>The engines a scenario indexes into at once (one <c>coinshard run</c> process each, on the same node).</summary>
public static class Engines
{
    /// <summary>SQLite always; PostgreSQL when COINSHARD_TEST_POSTGRES is set (required when COINSHARD_REQUIRE_POSTGRES=1).</summary>
    public static IReadOnlyList<Engine> Available
    {
        get
        {
            if (PostgresFactAttribute.ConnectionString is not null)
            {
                return [Engine.Sqlite, Engine.PostgreSql];
            }
            return Environment.GetEnvironmentVariable(PostgresFactAttribute.RequireVariable) == "1"
                ? throw new InvalidOperationException($"{PostgresFactAttribute.RequireVariable}=1 but {PostgresFactAttribute.ConnectionVariable} is not set")
                : [Engine.Sqlite];
        }
    }
}
