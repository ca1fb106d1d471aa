using Xunit;

namespace Coinshard.TestSupport;

/// <summary>
/// A fact that needs PostgreSQL: skipped (saying how to run it) when COINSHARD_TEST_POSTGRES is unset,
/// unless COINSHARD_REQUIRE_POSTGRES=1, in which case it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string ConnectionVariable = "COINSHARD_TEST_POSTGRES";
    public const string RequireVariable = "COINSHARD_REQUIRE_POSTGRES";

    public PostgresFactAttribute()
    {
        if (ConnectionString is null && Environment.GetEnvironmentVariable(RequireVariable) != "1")
        {
            Skip = $"PostgreSQL variant skipped: {ConnectionVariable} is not set. Run ./scripts/test.sh (it starts a throwaway PostgreSQL) " +
                $"or set {ConnectionVariable} to an Npgsql connection string of a database the tests may create schemas in.";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } cs ? cs : null;
}
