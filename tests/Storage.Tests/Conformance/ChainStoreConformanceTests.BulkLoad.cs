using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Tests.Infrastructure;

using Xunit;

namespace Coinshard.Storage.Tests.Conformance;

public abstract partial class ChainStoreConformanceTests
{
    private const int SnapshotBase = 40;

    [StoreFact]
    public async Task A_bulk_load_serves_exactly_the_loaded_coins_then_follows_blocks_above_its_base()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var schemaBefore = await SchemaAsync();
        var model = new ChainModel(Seed);
        var (coins, headers) = SnapshotWithCollisions(model, 3000);
        var baseTip = new ChainTip(SnapshotBase, Hashes.DoubleSha256(headers[^1]));
        var target = new BulkLoadTarget(baseTip.Height, baseTip.Hash, coins.Count);

        var loader = await store.BeginBulkLoadAsync(target, lease);
        await loader.AddHeadersAsync(0, headers.Take(25).ToList());
        await loader.AddHeadersAsync(25, headers.Skip(25).ToList());
        foreach (var batch in coins.Chunk(700))
        {
            await loader.AddAsync(batch);
        }
        var status = await loader.CompleteAsync();

        Assert.Equal(BulkLoadState.Complete, status.State);
        Assert.Equal(target, status.Target);
        Assert.Equal(coins.Count, status.CoinsAdded);
        Assert.NotNull(status.CompletedAtUnixMs);
        Assert.Equal(status, await store.GetBulkLoadStatusAsync());
        Assert.Equal(schemaBefore, await SchemaAsync());
        model.LoadSnapshot(baseTip, coins.Select(c => c.ToStoredCoin()));
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        Assert.Equal(headers, await store.GetHeadersAsync(0, 100));
        Assert.Equal(coins.Select(c => c.ToStoredCoin()).ToHashSet(), (await store.GetCoinsAsync(coins.Select(c => c.OutPoint).ToList())).ToHashSet());
        Assert.True((await store.GetChangesAsync(0, 10)).MissedChanges);

        // Blocks above the base connect and disconnect as usual; the base itself cannot be disconnected.
        for (var i = 0; i < 5; i++)
        {
            var delta = model.NextBlock(maxTransactions: 12);
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
            await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        }
        Assert.Equal(new UndoWindow(SnapshotBase + 1, SnapshotBase + 5), await store.GetUndoWindowAsync());
        while (model.TipHasUndo)
        {
            await store.DisconnectTipAsync(model.Tip!.Hash, lease);
            model.Disconnect();
            await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        }
        Assert.Equal(baseTip, await store.GetTipAsync());
        var before = await store.DumpAsync();
        var error = await Assert.ThrowsAsync<UndoUnavailableException>(() => store.DisconnectTipAsync(baseTip.Hash, lease));
        Assert.Contains($"loaded from a UTXO snapshot at height {SnapshotBase}", error.Message, StringComparison.Ordinal);
        AssertSameDump(before, await store.DumpAsync());
    }

    [StoreFact]
    public async Task While_a_load_runs_every_read_and_chain_write_is_refused_and_an_abort_leaves_an_empty_index()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var schemaBefore = await SchemaAsync();
        var model = new ChainModel(Seed);
        var (coins, headers) = SnapshotWithCollisions(model, 1000);
        var target = new BulkLoadTarget(SnapshotBase, Hashes.DoubleSha256(headers[^1]), coins.Count, DustLimit: 0);
        var loader = await store.BeginBulkLoadAsync(target, lease);
        await loader.AddHeadersAsync(0, headers);
        await loader.AddAsync(coins.Take(600).ToArray());

        var reader = await OpenAsync();
        var status = await reader.GetBulkLoadStatusAsync();
        Assert.Equal(new BulkLoadStatus(BulkLoadState.Loading, target, 600, 0, status!.StartedAtUnixMs, null), status);
        var scripthash = model.Scripthashes[0];
        var refused = new List<Func<Task>>
        {
            () => reader.GetTipAsync(),
            () => reader.GetHeaderAsync(3),
            () => reader.GetHeadersAsync(0, 10),
            () => reader.GetBlockHashAsync(3),
            () => reader.GetHeightAsync(target.BaseHash),
            () => reader.GetCoinsAsync([coins[0].OutPoint]),
            () => reader.GetCoinsByScripthashAsync(scripthash, 100),
            () => reader.GetBalanceAsync(scripthash),
            () => reader.GetCoinStatsAsync(),
            () => reader.GetUndoWindowAsync(),
            () => reader.GetChangesAsync(0, 10),
            () => reader.GetTxPositionAsync(coins[0].OutPoint.TxId),
            () => store.ConnectBlockAsync(model.NextBlock(), lease),
            () => store.DisconnectTipAsync(target.BaseHash, lease),
            () => store.BeginBulkLoadAsync(target, lease),
        };
        foreach (var call in refused)
        {
            var error = await Assert.ThrowsAsync<StoreLoadingException>(call);
            Assert.Contains("snapshot load", error.Message, StringComparison.Ordinal);
        }

        Assert.True(await store.AbortBulkLoadAsync(lease));
        Assert.False(await store.AbortBulkLoadAsync(lease));
        // The aborted loader cannot write any more.
        await Assert.ThrowsAsync<StoreLoadingException>(() => loader.AddAsync(coins.Skip(600).ToArray()));
        Assert.Null(await reader.GetBulkLoadStatusAsync());
        Assert.Null(await reader.GetTipAsync());
        Assert.Equal(new CoinStats(0, 0), await reader.GetCoinStatsAsync());
        Assert.Empty(await reader.GetCoinsAsync([coins[0].OutPoint]));
        Assert.Equal(schemaBefore, await SchemaAsync());

        // A fresh load of the same snapshot works after the abort.
        var again = await store.BeginBulkLoadAsync(target, lease);
        await again.AddHeadersAsync(0, headers);
        await again.AddAsync(coins.ToArray());
        await again.CompleteAsync();
        Assert.Equal(coins.Count, (await reader.GetCoinStatsAsync()).Count);
    }

    [StoreFact]
    public async Task Output_indexes_come_in_chainstate_order_which_puts_16512_before_16511()
    {
        // dumptxoutset writes coins in LevelDB key order: VARINT(16512) = 80 80 00 sorts before VARINT(16511) = FF 7F.
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var model = new ChainModel(Seed);
        var (coins, headers) = SnapshotWithCollisions(model, 50);
        var last = new Hash256(Enumerable.Repeat((byte)0xFF, 32).ToArray());
        coins.Add(new SnapshotCoin(new OutPoint(last, 127), 0x1111, 1000, 5, false));
        coins.Add(new SnapshotCoin(new OutPoint(last, 16512), 0x2222, 2000, 5, false));
        coins.Add(new SnapshotCoin(new OutPoint(last, 16511), 0x3333, 3000, 5, false));
        var loader = await store.BeginBulkLoadAsync(new BulkLoadTarget(SnapshotBase, Hashes.DoubleSha256(headers[^1]), coins.Count), lease);
        await loader.AddHeadersAsync(0, headers);
        await loader.AddAsync(coins.ToArray());
        await loader.CompleteAsync();
        var read = await store.GetCoinsAsync([new OutPoint(last, 16511), new OutPoint(last, 16512), new OutPoint(last, 127)]);
        Assert.Equal([1000L, 2000, 3000], read.Select(c => c.Value).Order());
    }

    [StoreFact]
    public async Task Bad_load_input_is_refused_with_specific_errors_and_writes_nothing()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var model = new ChainModel(Seed);
        var (coins, headers) = SnapshotWithCollisions(model, 200);
        var baseHash = Hashes.DoubleSha256(headers[^1]);
        var loader = await store.BeginBulkLoadAsync(new BulkLoadTarget(SnapshotBase, baseHash, coins.Count + 5, DustLimit: 1), lease);
        var valued = coins.Where(c => c.Value > 0).ToArray();

        await loader.AddAsync(valued.AsMemory(0, 10));
        Assert.Contains("ascending", (await Assert.ThrowsAsync<ArgumentException>(() => loader.AddAsync(valued.AsMemory(5, 7)))).Message, StringComparison.Ordinal);
        Assert.Contains("ascending", (await Assert.ThrowsAsync<ArgumentException>(() => loader.AddAsync(new[] { valued[9] }))).Message, StringComparison.Ordinal);
        var dust = valued[10] with { Value = 0 };
        Assert.Contains("dust limit", (await Assert.ThrowsAsync<ArgumentException>(() => loader.AddAsync(new[] { dust }))).Message, StringComparison.Ordinal);
        var future = valued[10] with { Height = SnapshotBase + 1 };
        Assert.Contains("snapshot base", (await Assert.ThrowsAsync<ArgumentException>(() => loader.AddAsync(new[] { future }))).Message, StringComparison.Ordinal);
        Assert.Equal(10, (await store.GetBulkLoadStatusAsync())!.CoinsAdded);
        await loader.AddAsync(valued.AsMemory(10));

        var unlinked = headers.Select(h => (byte[])h.Clone()).ToList();
        unlinked[3][10] ^= 1;
        await Assert.ThrowsAsync<ArgumentException>(() => loader.AddHeadersAsync(0, unlinked));
        await Assert.ThrowsAsync<ArgumentException>(() => loader.AddHeadersAsync(0, [new byte[79]]));
        await loader.AddHeadersAsync(0, headers.Take(10).ToList());
        await Assert.ThrowsAsync<ArgumentException>(() => loader.AddHeadersAsync(11, headers.Skip(11).ToList()));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => loader.CompleteAsync(coins.Count + 5 - valued.Length));
        Assert.Contains("must end with the base block", missing.Message, StringComparison.Ordinal);
        await loader.AddHeadersAsync(10, headers.Skip(10).ToList());
        var count = await Assert.ThrowsAsync<InvalidOperationException>(() => loader.CompleteAsync(0));
        Assert.Contains($"declares {coins.Count + 5:N0} coins", count.Message, StringComparison.Ordinal);
        Assert.Equal(BulkLoadState.Loading, (await store.GetBulkLoadStatusAsync())!.State);

        // A lost lease stops the load; the next lease holder completes nothing of it, and may abort it.
        Clock.Advance(TimeSpan.FromMinutes(11));
        var other = await OpenAsync();
        var otherLease = (await other.TryAcquireLeaseAsync("other", TimeSpan.FromMinutes(10)))!;
        await Assert.ThrowsAsync<LeaseLostException>(() => loader.CompleteAsync(coins.Count + 5 - valued.Length));
        Assert.True(await other.AbortBulkLoadAsync(otherLease));

        // Only an empty utxo-mode index can be loaded.
        var block = model.NextBlock();
        await other.ConnectBlockAsync(block, otherLease);
        await Assert.ThrowsAsync<StoreNotEmptyException>(() => other.BeginBulkLoadAsync(new BulkLoadTarget(SnapshotBase, baseHash, 1), otherLease));
        await using var fullStore = await ChainStore.OpenAsync(RawOptions with { Clock = Clock }, Chain.Networks.Currency.Litecoin);
        await fullStore.InitializeAsync(new ChainStoreSettings(Chain.Networks.Network.LitecoinRegtest, IndexMode.Full, 0, 16, 1000));
        var litecoinLease = (await fullStore.TryAcquireLeaseAsync("other", TimeSpan.FromMinutes(10)))!;
        await Assert.ThrowsAsync<StoreModeException>(() => fullStore.BeginBulkLoadAsync(new BulkLoadTarget(SnapshotBase, baseHash, 1), litecoinLease));
    }

    [StoreFact]
    public async Task Outpoints_whose_txids_share_a_prefix_are_never_confused_when_blocks_create_spend_and_restore_them()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var model = new ChainModel(Seed);
        var first = model.NextBlock();
        await store.ConnectBlockAsync(first, lease);
        model.Apply(first);

        // A and B share their first 8 bytes, so their outputs map to the same ids; C is never created;
        // D's outputs 1 and 65537 map to the same id too.
        var random = new Random(3);
        var a = SnapshotSample.RandomHash(random);
        var b = SnapshotSample.WithPrefix(SnapshotSample.RandomHash(random), a, 8);
        var c = SnapshotSample.WithPrefix(SnapshotSample.RandomHash(random), a, 8);
        var d = SnapshotSample.RandomHash(random);
        var key = ScripthashKeys.Of(model.Scripthashes[0]);
        var height = model.Tip!.Height + 1;
        StoredCoin Coin(Hash256 txid, uint vout, long value, int txPos) => new(new OutPoint(txid, vout), key, value, height, false, txPos);
        var created = new List<StoredCoin>
        {
            Coin(b, 0, 100, 2), Coin(a, 0, 200, 1), Coin(a, 1, 300, 1), Coin(b, 1, 400, 2), Coin(d, 65537, 500, 3), Coin(d, 1, 600, 3),
        };
        var block = model.MakeBlock([], created);
        await store.ConnectBlockAsync(block, lease);
        model.Apply(block);
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        foreach (var coin in created)
        {
            Assert.Equal([coin], await store.GetCoinsAsync([coin.OutPoint]));
        }
        Assert.Empty(await store.GetCoinsAsync([new OutPoint(c, 0), new OutPoint(c, 1), new OutPoint(d, 131073), new OutPoint(a, 65536)]));

        // Spend A:0 (holding the slot B:0 shares) and D:65537; then B:0, which now is the only coin of that id, cannot be created again.
        var spend = model.MakeBlock([created[1], created[4]], []);
        await store.ConnectBlockAsync(spend, lease);
        model.Apply(spend);
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        Assert.Equal([created[0]], await store.GetCoinsAsync([new OutPoint(b, 0)]));
        var before = await store.DumpAsync();
        var again = model.MakeBlock([], [created[0] with { Height = spend.Height + 1 }]);
        await Assert.ThrowsAsync<StoreConsistencyException>(() => store.ConnectBlockAsync(again, lease));
        var twice = model.MakeBlock([], [created[2] with { Height = spend.Height + 1 }]);
        await Assert.ThrowsAsync<StoreConsistencyException>(() => store.ConnectBlockAsync(twice, lease));
        AssertSameDump(before, await store.DumpAsync());

        // C:0 takes the free slot without disturbing B:0; spending B:0 leaves C:0.
        var third = model.MakeBlock([], [Coin(c, 0, 700, 0) with { Height = spend.Height + 1 }]);
        await store.ConnectBlockAsync(third, lease);
        model.Apply(third);
        var fourth = model.MakeBlock([created[0]], []);
        await store.ConnectBlockAsync(fourth, lease);
        model.Apply(fourth);
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);

        while (model.TipHasUndo && model.Blocks.Count > 1)
        {
            await store.DisconnectTipAsync(model.Tip!.Hash, lease);
            model.Disconnect();
            await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
            var crafted = created.Select(x => x.OutPoint).Append(new OutPoint(c, 0)).ToList();
            Assert.Equal(
                crafted.Where(model.Coins.ContainsKey).Select(o => model.Coins[o]).ToHashSet(),
                (await store.GetCoinsAsync(crafted)).ToHashSet());
        }
    }

    /// <summary>A snapshot of model keys with forced 48- and 64-bit txid prefix collisions and an output index above 65535, and its headers.</summary>
    private static (List<SnapshotCoin> Coins, List<byte[]> Headers) SnapshotWithCollisions(ChainModel model, int count)
    {
        var keys = model.Scripthashes.Select(ScripthashKeys.Of).ToList();
        // Another seed than the model's, whose random txids must not repeat the snapshot's.
        var coins = SnapshotSample.Coins(model.Seed + 1000, count, keys, SnapshotBase);
        var random = new Random(model.Seed + 2000);
        for (var i = 0; i < 6; i++)
        {
            var victim = coins[random.Next(coins.Count)];
            var twin = SnapshotSample.WithPrefix(SnapshotSample.RandomHash(random), victim.OutPoint.TxId, i % 2 == 0 ? 6 : 8);
            coins.Add(victim with { OutPoint = new OutPoint(twin, victim.OutPoint.Index), Value = victim.Value + 1 });
            coins.Add(victim with { OutPoint = new OutPoint(twin, victim.OutPoint.Index + 1) });
        }
        coins.Add(coins[0] with { OutPoint = new OutPoint(coins[0].OutPoint.TxId, coins[0].OutPoint.Index + 65536) });
        coins.Sort((x, y) => x.OutPoint.CompareTo(y.OutPoint));
        return (coins.DistinctBy(x => x.OutPoint).ToList(), SnapshotSample.Headers(model.Seed, SnapshotBase));
    }
}
