using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Coinshard.Storage.Tests.Infrastructure;

/// <summary>
/// Marks a test class that needs a PostgreSQL server. Its <see cref="StoreFactAttribute"/> tests are
/// skipped (with a message saying how to run them) when <c>COINSHARD_TEST_POSTGRES</c> is unset, unless
/// <c>COINSHARD_REQUIRE_POSTGRES=1</c>, in which case they run and fail.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute
{
    public const string ConnectionVariable = "COINSHARD_TEST_POSTGRES";
    public const string RequireVariable = "COINSHARD_REQUIRE_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } cs ? cs : null;

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    public static string? SkipReason =>
        ConnectionString is null && !Required
            ? $"PostgreSQL variant skipped: {ConnectionVariable} is not set. Run ./scripts/test.sh (it starts a throwaway PostgreSQL) " +
              $"or set {ConnectionVariable} to an Npgsql connection string of a database the tests may create schemas in."
            : null;
}

/// <summary>A fact whose skip depends on the concrete test class (see <see cref="RequiresPostgresAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Coinshard.Storage.Tests.Infrastructure.StoreFactDiscoverer", "Coinshard.Storage.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests, skipping PostgreSQL classes when no server is configured.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new StoreTestCase(
            diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

/// <summary>A test case whose skip reason is computed from its class and the environment.</summary>
public sealed class StoreTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(sink, display, options, method)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute)
    {
        var needsPostgres = TestMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute).AssemblyQualifiedName).Any();
        return needsPostgres && RequiresPostgresAttribute.SkipReason is { } reason ? reason : base.GetSkipReason(factAttribute);
    }
}
