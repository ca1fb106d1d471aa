using Coinshard.Integration.Tests.Support;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Microsoft.Data.Sqlite;

using Npgsql;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Integration.Tests.Scenarios;

/// <summary>One litecoind with a wallet and a small chain with coins on every address type, shared by the fault tests.</summary>
public sealed class FaultChainFixture : IAsyncLifetime
{
    public LitecoindNode Node { get; private set; } = null!;

    public WalletActivity Activity { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "faults" });
        await Node.MineAsync(110);
        Activity = new WalletActivity(Node, seed: 9);
        await Activity.CreateTargetsAsync(perKind: 4, bare: 1);
        await Activity.SendRandomAsync(20, workers: 2);
        await Node.MineAsync(1);
    }

    /// <summary>Some traffic and blocks while a fault is on, so that the index has something to write.</summary>
    public async Task MoveOnAsync(int blocks = 2)
    {
        await Activity.SendRandomAsync(6);
        await Node.MineAsync(blocks);
    }

    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}

/// <summary>
/// Faults at the process level, each with a clear error, an unhealthy <c>/health/ready</c>, no crash loop (one
/// process start, a few log lines rather than one per retry) and convergence once the fault clears: the node
/// unreachable at start, the SQLite file locked by another process, the PostgreSQL database missing, and the
/// PostgreSQL server unreachable in the middle of following.
/// </summary>
public sealed class FaultTests(FaultChainFixture chain, ITestOutputHelper output) : IClassFixture<FaultChainFixture>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);

    private LitecoindNode Node => chain.Node;

    [Fact]
    public async Task Node_unreachable_at_start_keeps_the_process_up_and_unhealthy_then_it_converges()
    {
        await Node.StopAsync();
        await using var store = await IntegrationStore.SqliteAsync();
        CoinshardProcess? process = null;
        try
        {
            process = await CoinshardProcess.StartAsync("no-node", Node, store);
            await ObserveOutageAsync(process, "waiting_for_backend");
        }
        finally
        {
            await Node.StartAgainAsync();
        }
        await using (process)
        {
            await IndexAssert.MatchesNodeAsync(process!, Node, chain.Activity.Targets);
            Assert.Equal(1, process.Starts);
        }
    }

    [Fact]
    public async Task SQLite_file_locked_by_another_process_is_waited_for_then_the_index_converges()
    {
        await using var store = await IntegrationStore.SqliteAsync();
        await using var process = await CoinshardProcess.StartAsync("locked", Node, store);
        await IndexAssert.MatchesNodeAsync(process, Node, chain.Activity.Targets);

        await using (var locker = new SqliteConnection($"Data Source={process.SqlitePath};Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var exclusive = locker.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                await exclusive.ExecuteNonQueryAsync();
            }
            await chain.MoveOnAsync();
            var error = await ObserveOutageAsync(process, "waiting_for_store");
            Assert.Contains("locked", error, StringComparison.Ordinal);
        }
        await IndexAssert.MatchesNodeAsync(process, Node, chain.Activity.Targets);
        Assert.Equal(1, process.Starts);
    }

    [PostgresFact]
    public async Task PostgreSQL_database_missing_is_reported_then_created_and_the_index_converges()
    {
        var database = "it_missing_" + Guid.NewGuid().ToString("N")[..12];
        await using var store = IntegrationStore.MissingPostgreSqlDatabase(database);
        try
        {
            await using var process = await CoinshardProcess.StartAsync("pg-missing", Node, store);
            var error = await ObserveOutageAsync(process, "waiting_for_store");
            Assert.Contains(database, error, StringComparison.Ordinal);
            await ExecuteAsync(PostgresFactAttribute.ConnectionString!, $"CREATE DATABASE {database}");
            await IndexAssert.MatchesNodeAsync(process, Node, chain.Activity.Targets);
            Assert.Equal(1, process.Starts);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(PostgresFactAttribute.ConnectionString!, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [PostgresFact]
    public async Task PostgreSQL_unreachable_while_following_is_waited_for_then_the_index_converges()
    {
        var server = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString);
        await using var proxy = new TcpProxy(server.Host!, server.Port);
        await using var store = await IntegrationStore.PostgreSqlAsync(viaPort: proxy.Port);
        await using var process = await CoinshardProcess.StartAsync("pg-outage", Node, store);
        await IndexAssert.MatchesNodeAsync(process, Node, chain.Activity.Targets);

        await proxy.CutAsync();
        try
        {
            await chain.MoveOnAsync();
            await ObserveOutageAsync(process, "waiting_for_store");
        }
        finally
        {
            await proxy.RestoreAsync();
        }
        await IndexAssert.MatchesNodeAsync(process, Node, chain.Activity.Targets);
        Assert.True((await process.StatusAsync()).HoldsLease, "the follower writes again (holds its lease)");
        Assert.Equal(1, process.Starts);
    }

    /// <summary>
    /// Waits for <paramref name="state"/>, then watches it for <see cref="Outage"/>: it stays in that state (no
    /// flapping), <c>/health/ready</c> answers 503 with the reason, the process keeps running without restarting,
    /// and it logs a few lines, not one per retry. Returns the reported error.
    /// </summary>
    private async Task<string> ObserveOutageAsync(CoinshardProcess process, string state)
    {
        await Eventually.TrueAsync(async () => (await process.StatusAsync()).State == state, $"{process.Name} reports {state}", IndexAssert.TipTimeout);
        var linesBefore = process.Output().Split('\n').Length;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var until = DateTime.UtcNow + Outage;
        while (DateTime.UtcNow < until)
        {
            seen.Add((await process.StatusAsync()).State);
            await Task.Delay(100);
        }
        var status = await process.StatusAsync();
        var (code, body) = await process.ReadyAsync();
        var outageLog = string.Join('\n', process.Output().Split('\n').Skip(linesBefore));
        output.WriteLine($"{process.Name}: {status.State}: {status.LastError}\nready: {code} {body}\nlog during the outage:\n{outageLog}");
        Assert.Equal([state], seen);
        Assert.False(status.Healthy);
        Assert.Equal(503, code);
        Assert.Contains(state, body, StringComparison.Ordinal);
        Assert.True(process.IsRunning, $"{process.Name} keeps running");
        Assert.Equal(1, process.Starts);
        Assert.True(outageLog.Split('\n').Length <= 5, $"{process.Name}: a few lines during a {Outage.TotalSeconds:0} s outage, not one per retry:\n{outageLog}");
        Assert.DoesNotContain(Node.RpcPassword, process.Output(), StringComparison.Ordinal);
        if (PostgresFactAttribute.ConnectionString is { } server && new NpgsqlConnectionStringBuilder(server).Password is { Length: > 0 } password)
        {
            Assert.DoesNotContain(password, process.Output(), StringComparison.Ordinal);
            Assert.DoesNotContain(password, body, StringComparison.Ordinal);
        }
        Assert.False(string.IsNullOrWhiteSpace(status.LastError), "the status says why");
        return status.LastError!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
