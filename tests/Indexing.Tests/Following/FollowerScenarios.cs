using System.Security.Cryptography;

using Coinshard.Actors;
using Coinshard.Actors.Testing;
using Coinshard.Backends;
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
/// The follower against a real litecoind, written once and run on each engine (SqliteFollowerTests,
/// PostgresFollowerTests). Expected values always come from the node: gettxoutsetinfo, scantxoutset,
/// getbestblockhash and its verbose blocks.
/// </summary>
public abstract class FollowerScenarios(LitecoindFixture chain) : IAsyncLifetime
{
    private readonly List<Func<ValueTask>> _cleanup = [];

    protected LitecoindFixture Chain { get; } = chain;

    protected LitecoindNode Node => Chain.Node;

    protected abstract Engine Engine { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i]();
        }
    }

    // ------------------------------------------------------------------ plumbing

    protected static IndexerOptions Options(IndexMode mode = IndexMode.Utxo, string owner = "test") =>
        new(Network.LitecoinRegtest)
        {
            Mode = mode,
            ShardCount = 4,
            PollInterval = TimeSpan.FromMilliseconds(200),
            LeaseTtl = TimeSpan.FromSeconds(3),
            Owner = owner + "-" + Guid.NewGuid().ToString("N")[..8],
        };

    protected async Task<StoreOptions> NewStoreAsync(Engine? engine = null)
    {
        var store = await TestStore.CreateAsync(engine ?? Engine);
        _cleanup.Add(store.DisposeAsync);
        return store.Options;
    }

    /// <summary>An indexer in its own actor system (as another process would have), disposed after the test.</summary>
    protected async Task<CurrencyIndexer> StartAsync(StoreOptions store, IndexerOptions options, IBlockSource? backend = null)
    {
        var system = new ActorSystem("node", new ActorSystemOptions { LoggerFactory = Chain.Logs });
        _cleanup.Add(system.DisposeAsync);
        if (backend is null)
        {
            var core = Chain.CreateBackend();
            _cleanup.Add(() =>
            {
                core.Dispose();
                return ValueTask.CompletedTask;
            });
            backend = core;
        }
        var index = await CurrencyIndexer.StartAsync(options, backend, store, system, Chain.Logs);
        _cleanup.Add(index.DisposeAsync);
        return index;
    }

    protected static Task WaitForStateAsync(ICurrencyIndex index, FollowerState state) =>
        Eventually.TrueAsync(() => index.Status.State == state, $"the follower is {state} (status: {NodeComparison.Describe(index.Status)})");

    protected async Task<string> BlockHashAsync(int height) => await Node.Rpc.CallStringAsync("getblockhash", height);

    protected static Hash256 ScripthashOf(string scriptHex) => new(SHA256.HashData(Convert.FromHexString(scriptHex)));

    protected async Task<string> ScriptOfAsync(string address) =>
        (await Node.Rpc.CallAsync("getaddressinfo", address)).GetProperty("scriptPubKey").GetString()!;

    // ------------------------------------------------------------------ scenarios

    protected async Task CatchUpThenFollowAsync(IndexMode mode)
    {
        var index = await StartAsync(await NewStoreAsync(), Options(mode));

        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        await WaitForStateAsync(index, FollowerState.Following);
        var (blocks, transactions) = index.WriteCounters;
        Assert.Equal(await Node.GetBlockCountAsync() + 1, blocks); // genesis to tip, each once
        Assert.InRange(transactions, 1, blocks);
        Assert.True(index.Status.HoldsLease);
        Assert.True(index.Status.IsHealthy);
        Assert.Equal(0, index.Status.Lag);
        Assert.Null(index.Status.LastError);

        await Chain.MakeActivityAsync();
        await Node.MineAsync(2);
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        if (mode == IndexMode.Full)
        {
            await AssertHistoriesMatchNodeAsync(index.Store);
        }
    }

    protected async Task FollowReorgWithinTheUndoWindowAsync()
    {
        var index = await StartAsync(await NewStoreAsync(), Options());
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);

        // Replace the last two blocks with three others that hold other transactions.
        var height = await Node.GetBlockCountAsync();
        var reorgsBefore = Chain.Logs.Entries.Count(e => e.EventId.Id == 105);
        await Node.InvalidateBlockAsync(await BlockHashAsync(height - 1));
        await Chain.MakeActivityAsync();
        await Node.MineAsync(2, await Node.NewAddressAsync(AddressKind.Legacy));
        Assert.Equal(height + 1, await Node.GetBlockCountAsync());

        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        Assert.Equal(FollowerState.Following, index.Status.State);
        var reorg = Assert.Single(Chain.Logs.Entries.Where(e => e.EventId.Id == 105).Skip(reorgsBefore));
        Assert.Contains($"after height {height - 2}", reorg.Message, StringComparison.Ordinal);
    }

    protected async Task DeepReorgFaultsThenRewindAndResetRecoverAsync()
    {
        var index = await StartAsync(await NewStoreAsync(), Options() with { UndoDepth = 3 });
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        var tip = await Node.GetBlockCountAsync();

        // Branch B replaces the last 5 blocks of branch A: deeper than 3 blocks of undo data.
        var firstA = await BlockHashAsync(tip - 4);
        await Node.InvalidateBlockAsync(firstA);
        await Node.MineAsync(6, await Node.NewAddressAsync(AddressKind.Legacy));
        var firstB = await BlockHashAsync(tip - 4);
        await WaitForStateAsync(index, FollowerState.Faulted);
        var error = index.Status.LastError!;
        Assert.Contains($"after height {tip - 5}", error, StringComparison.Ordinal);
        Assert.Contains($"undo data covers heights {tip - 2}-{tip} (3 blocks)", error, StringComparison.Ordinal);
        Assert.Contains("coinshard follower reset --coin litecoin", error, StringComparison.Ordinal);
        Assert.False(index.Status.IsHealthy);
        Assert.Equal(tip, index.Status.IndexTip!.Height);
        var tooDeep = await Assert.ThrowsAsync<UndoUnavailableException>(() => index.RewindAsync(tip - 5));
        Assert.Contains($"back to height {tip - 3} at most", tooDeep.Message, StringComparison.Ordinal);

        // The node returns to branch A: a rewind clears the fault and the follower resumes.
        await Node.ReconsiderBlockAsync(firstA);
        await Node.InvalidateBlockAsync(firstB);
        Assert.Equal(tip, await Node.GetBlockCountAsync());
        var rewound = await index.RewindAsync(tip - 2);
        Assert.Equal(tip, rewound.From.Height);
        Assert.Equal(tip - 2, rewound.To.Height);
        Assert.Equal(2, rewound.BlocksDisconnected);
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        await WaitForStateAsync(index, FollowerState.Following);
        Assert.Null(index.Status.LastError);

        // Branch B again: faulted again; a reset rebuilds the index on B.
        await Node.ReconsiderBlockAsync(firstB);
        Assert.Equal(tip + 1, await Node.GetBlockCountAsync());
        await WaitForStateAsync(index, FollowerState.Faulted);
        await index.ResetAsync();
        await NodeComparison.AssertMatchesNodeAsync(index, Node, Chain.Addresses);
        await WaitForStateAsync(index, FollowerState.Following);
        Assert.True(index.Status.IsHealthy);

        // Leave branch A invalid, so that later reorg tests never fall back onto it.
        await Node.InvalidateBlockAsync(firstA);
        Assert.Equal(tip + 1, await Node.GetBlockCountAsync());
    }

    protected async Task TwoIndexersShareOneDatabaseAsync()
    {
        var store = await NewStoreAsync();
        var first = await StartAsync(store, Options(owner: "first"));
        await NodeComparison.WaitForTipAsync(first, Node);
        await WaitForStateAsync(first, FollowerState.Following);
        var second = await StartAsync(store, Options(owner: "second"));
        await WaitForStateAsync(second, FollowerState.StandingBy);
        Assert.True(first.Status.HoldsLease);
        Assert.False(second.Status.HoldsLease);
        Assert.True(second.Status.IsHealthy);
        await Assert.ThrowsAsync<NotWriterException>(() => second.RewindAsync(1));

        // The standby serves subscriptions from the writer's change feed.
        var address = await Node.NewAddressAsync(AddressKind.Bech32);
        var scripthash = ScripthashOf(await ScriptOfAsync(address));
        var probe = new TestProbe<ScripthashStatusChanged>("standby-subscriber");
        Assert.Null((await second.Shards.SubscribeAsync(scripthash, probe)).Status);
        await Node.SendAsync(address, 12_345_678);
        await Node.MineAsync(1);
        var changed = await probe.ExpectMsgAsync(timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(scripthash, changed.Scripthash);
        Assert.NotNull(changed.Status);

        // Ordered shutdown releases the lease: the standby takes over and writes.
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => second.Status.HoldsLease, $"the second indexer takes the lease ({NodeComparison.Describe(second.Status)})");
        await Node.MineAsync(2);
        await NodeComparison.AssertMatchesNodeAsync(second, Node, [.. Chain.Addresses, address]);
        Assert.Equal(FollowerState.Following, second.Status.State);
    }

    /// <summary>Full mode: every script's history in the store equals the one rebuilt from the node's blocks.</summary>
    private async Task AssertHistoriesMatchNodeAsync(ChainStore store)
    {
        var expected = await NodeHistory.BuildAsync(Node);
        Assert.NotEmpty(expected);
        foreach (var (script, history) in expected)
        {
            var ours = await store.GetHistoryAsync(ScripthashOf(script), 100_000);
            Assert.Equal(history, ours.Select(h => (h.Height, h.TxPos, h.TxId)).ToList());
        }
    }
}
