using System.Security.Cryptography;
using System.Text;

using Coinshard.Actors.Testing;
using Coinshard.Backends.Core;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Indexing.Shards;
using Coinshard.Indexing.Tests.Support;
using Coinshard.Storage;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Indexing.Tests.Following;

/// <summary>
/// Start-up, failure and recovery paths of the follower, and shard notifications, against the real node
/// (on SQLite: none of this depends on the engine).
/// </summary>
[Collection(LitecoindTests.Name)]
public sealed class FollowerLifecycleTests(LitecoindFixture chain) : FollowerScenarios(chain)
{
    protected override Engine Engine => Engine.Sqlite;

    [Fact]
    public async Task A_backend_down_at_start_is_waited_for_without_leaking_the_password_then_followed()
    {
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "late", Wallet = false });
        await node.MineAsync(20);
        await node.StopAsync();
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, LitecoindFixture.RpcOptions(node, maxRetries: 0), loggerFactory: Chain.Logs);

        var started = DateTime.UtcNow;
        var index = await StartAsync(await NewStoreAsync(), Options(), backend);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "StartAsync returns at once");
        await WaitForStateAsync(index, FollowerState.WaitingForBackend);
        Assert.False(index.Status.IsHealthy);
        Assert.Contains("unavailable", index.Status.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(node.RpcPassword, index.Status.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(node.RpcPassword, Chain.Logs.AllText, StringComparison.Ordinal);

        await node.StartAgainAsync();
        await node.MineAsync(2);
        await NodeComparison.WaitForTipAsync(index, node);
        await WaitForStateAsync(index, FollowerState.Following);
        var info = await node.Rpc.CallAsync("gettxoutsetinfo", "none");
        Assert.Equal(info.GetProperty("txouts").GetInt64(), (await index.Store.GetCoinStatsAsync()).Count);
        Assert.Null(index.Status.LastError);
    }

    [Fact]
    public async Task A_backend_on_another_network_faults_the_follower_with_a_clear_message()
    {
        // The index wants mainnet; the backend (correctly configured for regtest) reports regtest.
        var mainnet = await StartAsync(await NewStoreAsync(), Options() with { Network = Network.LitecoinMainnet });
        await WaitForStateAsync(mainnet, FollowerState.Faulted);
        Assert.Equal("backend is on litecoin-regtest but this index is configured for litecoin-mainnet", mainnet.Status.LastError);
        Assert.False(mainnet.Status.IsHealthy);

        // The backend itself is configured for mainnet and refuses the regtest node.
        using var misconfigured = Chain.CreateBackend(Network.LitecoinMainnet);
        var refused = await StartAsync(await NewStoreAsync(), Options() with { Network = Network.LitecoinMainnet }, misconfigured);
        await WaitForStateAsync(refused, FollowerState.Faulted);
        Assert.Contains("is on litecoin-regtest", refused.Status.LastError, StringComparison.Ordinal);
        Assert.Contains("litecoin-mainnet is configured", refused.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_built_for_another_network_or_mode_faults_the_follower()
    {
        var store = await NewStoreAsync();
        await using (var other = await ChainStore.OpenAsync(store, ChainStoreSettings.Default(Network.LitecoinTestnet)))
        {
        }
        var index = await StartAsync(store, Options());
        await WaitForStateAsync(index, FollowerState.Faulted);
        Assert.Contains("network is 'litecoin-testnet' in the database but 'litecoin-regtest' in the settings", index.Status.LastError, StringComparison.Ordinal);

        var utxo = await NewStoreAsync();
        await using (var other = await ChainStore.OpenAsync(utxo, ChainStoreSettings.Default(Network.LitecoinRegtest, IndexMode.Utxo) with { ShardCount = 4 }))
        {
        }
        var full = await StartAsync(utxo, Options(IndexMode.Full));
        await WaitForStateAsync(full, FollowerState.Faulted);
        Assert.Contains("mode is 'utxo' in the database but 'full' in the settings", full.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_cannot_be_opened_is_waited_for_then_used()
    {
        using var directory = new TempDirectory("late-store");
        var path = directory.Combine("not-yet", "coinshard.db");
        var index = await StartAsync(StoreOptions.Sqlite(path), Options());
        await WaitForStateAsync(index, FollowerState.WaitingForStore);
        Assert.False(index.Status.IsHealthy);
        Assert.NotNull(index.Status.LastError);
        Assert.Throws<StoreUnavailableException>(() => index.Store);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        Assert.True(index.Status.IsHealthy);
    }

    [Fact]
    public async Task A_store_locked_against_writes_keeps_the_follower_waiting_for_the_store_until_a_write_succeeds()
    {
        using var directory = new TempDirectory("locked-store");
        var path = directory.Combine("coinshard.db");
        var index = await StartAsync(StoreOptions.Sqlite(path) with { BusyTimeout = TimeSpan.FromMilliseconds(300) }, Options());
        await NodeComparison.WaitForTipAsync(index, Node);

        await using (var locker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var exclusive = locker.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                await exclusive.ExecuteNonQueryAsync();
            }
            await Node.MineAsync(1);
            await WaitForStateAsync(index, FollowerState.WaitingForStore);
            // Reads still work (WAL), so every retry gets as far as the write: it must not report catching up
            // (healthy) or standing by in between, nor log a line per retry.
            var logged = FollowerLines().Count;
            var seen = new HashSet<FollowerState>();
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
            while (DateTime.UtcNow < until)
            {
                seen.Add(index.Status.State);
                await Task.Delay(10);
            }
            Assert.Equal([FollowerState.WaitingForStore], seen);
            Assert.Contains("locked", index.Status.LastError, StringComparison.Ordinal);
            // At most: one failed lease renewal, the lease lost (the state itself was logged once, before).
            Assert.True(FollowerLines().Count - logged <= 2, string.Join("\n", FollowerLines().Skip(logged)));
        }
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        Assert.True(index.Status.IsHealthy);
    }

    [Fact]
    public async Task A_subscriber_is_notified_with_the_electrum_status_when_blocks_pay_and_spend_its_script()
    {
        var index = await StartAsync(await NewStoreAsync(), Options(IndexMode.Full));
        await NodeComparison.WaitForTipAsync(index, Node);
        var address = await Node.NewAddressAsync(AddressKind.P2shSegwit);
        var script = await ScriptOfAsync(address);
        var scripthash = ScripthashOf(script);
        var probe = new TestProbe<ScripthashStatusChanged>("subscriber");
        var initial = await index.Shards.SubscribeAsync(scripthash, probe);
        Assert.Null(initial.Status);
        Assert.Equal(0, initial.HistoryCount);

        // Paid: the status is sha256("txid:height:").
        var funding = await Node.SendAsync(address, 5 * LitecoindFixture.Coin);
        await Node.MineAsync(1);
        var fundingHeight = await Node.GetBlockCountAsync();
        var paid = await probe.ExpectMsgAsync(timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(scripthash, paid.Scripthash);
        Assert.Equal(Status($"{funding}:{fundingHeight}:"), paid.Status);
        Assert.Equal(fundingHeight, paid.Height);
        Assert.Equal(paid.Status, (await index.Shards.GetStatusAsync(scripthash)).Status);

        // Spent: the history has both transactions, in block order.
        var vout = (await Node.Rpc.CallAsync("getrawtransaction", funding, true)).GetProperty("vout").EnumerateArray()
            .First(o => o.GetProperty("scriptPubKey").GetProperty("hex").GetString() == script).GetProperty("n").GetInt32();
        var spend = await Node.Rpc.CallStringAsync(
            "createrawtransaction",
            new[] { new Dictionary<string, object> { ["txid"] = funding, ["vout"] = vout } },
            new Dictionary<string, object> { [await Node.NewAddressAsync()] = 4.99m });
        var signed = await Node.Rpc.CallAsync("signrawtransactionwithwallet", spend);
        var spending = await Node.Rpc.CallStringAsync("sendrawtransaction", signed.GetProperty("hex").GetString());
        await Node.MineAsync(1);
        var spent = await probe.ExpectMsgAsync(timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(Status($"{funding}:{fundingHeight}:{spending}:{fundingHeight + 1}:"), spent.Status);

        // A block that does not touch the script sends nothing; after unsubscribing, nothing either.
        await Node.MineAsync(1);
        await NodeComparison.WaitForTipAsync(index, Node);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.True(await index.Shards.UnsubscribeAsync(scripthash, probe));
        Assert.False(await index.Shards.UnsubscribeAsync(scripthash, probe));
        var infos = await index.Shards.GetInfoAsync();
        Assert.Equal(4, infos.Count);
        Assert.Equal(0, infos.Sum(i => i.Subscribers));
    }

    [Fact]
    public async Task A_crash_of_the_follower_restarts_it_and_it_resumes_from_the_stored_tip()
    {
        using var core = Chain.CreateBackend();
        var backend = new FaultyBackend(core) { FailBlockFetchNumber = 30 };
        var index = await StartAsync(await NewStoreAsync(), Options(), backend);

        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        Assert.True(backend.Failed);
        Assert.True(index.Follower.Restarts >= 1);
        Assert.Contains(Chain.Logs.Entries, e => e.Exception?.Contains(FaultyBackend.Message, StringComparison.Ordinal) == true);
        Assert.True(index.Status.IsHealthy);
    }

    [Fact]
    public async Task Disposing_stops_the_follower_and_releases_the_lease_at_once()
    {
        var store = await NewStoreAsync();
        var index = await StartAsync(store, Options());
        await NodeComparison.WaitForTipAsync(index, Node);
        Assert.True(index.Status.HoldsLease);
        await index.DisposeAsync();
        Assert.Equal(FollowerState.Stopped, index.Status.State);
        Assert.True(index.Follower.IsStopped);

        await using var other = await ChainStore.OpenAsync(store, Currency.Litecoin);
        Assert.NotNull(await other.TryAcquireLeaseAsync("someone-else", TimeSpan.FromSeconds(10)));
    }

    /// <summary>The follower's log lines (information and above).</summary>
    private List<string> FollowerLines() =>
        [.. Chain.Logs.Entries.Where(e => e.Category == typeof(CurrencyIndexer).FullName && e.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(e => e.Message)];

    private static string Status(string history) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(history)));

    /// <summary>The real backend, with one unexpected failure (a bug, not a backend error) injected into a block fetch.</summary>
    private sealed class FaultyBackend(CoreRpcBackend inner) : Backends.IBlockSource
    {
        public const string Message = "injected follower crash";
        private int _fetches;

        public int FailBlockFetchNumber { get; init; }

        public bool Failed { get; private set; }

        public string Name => inner.Name;

        public Network Network => inner.Network;

        public Backends.BackendCapabilities Capabilities => inner.Capabilities;

        public Backends.BackendHealth Health => inner.Health;

        public Task<byte[]> GetBlockAsync(Hash256 blockHash, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _fetches) == FailBlockFetchNumber)
            {
                Failed = true;
                throw new InvalidOperationException(Message);
            }
            return inner.GetBlockAsync(blockHash, cancellationToken);
        }

        public Task<ChainTip> WaitForNewTipAsync(Hash256 knownTip, TimeSpan timeout, CancellationToken cancellationToken = default) =>
            inner.WaitForNewTipAsync(knownTip, timeout, cancellationToken);

        public Task<Backends.ChainState> GetChainStateAsync(CancellationToken cancellationToken = default) => inner.GetChainStateAsync(cancellationToken);

        public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default) => inner.GetBlockHashAsync(height, cancellationToken);

        public Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default) =>
            inner.GetBlockHashesAsync(fromHeight, count, cancellationToken);

        public Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default) => inner.GetBlockHeaderAsync(blockHash, cancellationToken);
    }
}
