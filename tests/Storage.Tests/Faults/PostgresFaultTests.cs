using System.Net;
using System.Net.Sockets;

using Coinshard.Chain.Networks;
using Coinshard.Storage.Tests.Conformance;
using Coinshard.Storage.Tests.Infrastructure;

using Npgsql;

using Xunit;

namespace Coinshard.Storage.Tests.Faults;

/// <summary>PostgreSQL faults that do not need a server: nothing listening.</summary>
public sealed class PostgresUnreachableTests
{
    [Fact]
    public async Task An_unreachable_server_is_reported_as_transient_without_the_password()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var options = StoreOptions.PostgreSql($"Host=127.0.0.1;Port={port};Database=x;Username=u;Password=s3cret-Pa55;Timeout=5");
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => ChainStore.OpenAsync(options, Currency.Bitcoin));
        Assert.True(error.IsTransient);
        Assert.Contains($"cannot reach PostgreSQL at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_connection_string_does_not_echo_its_password()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => ChainStore.OpenAsync(StoreOptions.PostgreSql("Host=x;Password=s3cret-Pa55;NoSuchKeyword=1"), Currency.Bitcoin));
        Assert.DoesNotContain("s3cret-Pa55", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>PostgreSQL faults against the test server: credentials and connections dropped mid-transaction.</summary>
[RequiresPostgres]
public sealed class PostgresFaultTests : IAsyncLifetime
{
    private string _admin = "";
    private string _schema = "";
    private StoreOptions _options = null!;

    public async Task InitializeAsync() => (_admin, _schema, _options) = await PostgresTestDatabase.CreateSchemaAsync();

    public Task DisposeAsync() => PostgresTestDatabase.DropSchemaAsync(_admin, _schema);

    [StoreFact]
    public async Task A_wrong_password_is_access_denied_and_the_message_holds_no_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString) { Password = "wrong-Pa55word" };
        var error = await Assert.ThrowsAsync<StoreAccessDeniedException>(
            () => ChainStore.OpenAsync(StoreOptions.PostgreSql(builder.ConnectionString), Currency.Bitcoin));
        Assert.False(error.IsTransient);
        Assert.Contains("rejected the credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-Pa55word", error.ToString(), StringComparison.Ordinal);
        var real = new NpgsqlConnectionStringBuilder(_options.ConnectionString).Password!;
        Assert.DoesNotContain(real, error.ToString(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_connection_killed_before_commit_writes_nothing_and_is_retryable()
    {
        await using var store = await ChainStore.OpenAsync(_options, Currency.Bitcoin);
        await store.InitializeAsync(new ChainStoreSettings(Network.BitcoinRegtest, IndexMode.Full, 0, 4, 100));
        var lease = (await store.TryAcquireLeaseAsync("writer", TimeSpan.FromMinutes(10)))!;
        var model = new ChainModel(11);
        var first = model.NextBlock();
        await store.ConnectBlockAsync(first, lease);
        model.Apply(first);
        var before = await store.DumpAsync();

        var killed = false;
        store.FaultInjection = async (point, connection) =>
        {
            if (point != "connect:before-commit" || killed)
            {
                return;
            }
            killed = true;
            await using var pidCommand = new NpgsqlCommand("SELECT pg_backend_pid()", (NpgsqlConnection)connection);
            var pid = (int)(await pidCommand.ExecuteScalarAsync())!;
            await using var admin = new NpgsqlConnection(_admin);
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", admin);
            await kill.ExecuteScalarAsync();
        };
        var next = model.NextBlock();
        var error = await Assert.ThrowsAsync<StoreConnectionLostException>(() => store.ConnectBlockAsync(next, lease));
        Assert.True(error.IsTransient);
        Assert.True(killed);
        ChainStoreConformanceTests.AssertSameDump(before, await store.DumpAsync());

        // The broken connection is gone from the pool: the retry succeeds on a new one.
        await store.ConnectBlockAsync(next, lease);
        model.Apply(next);
        await ChainStoreConformanceTests.AssertMatchesModelAsync(store, model, IndexMode.Full);
    }
}
