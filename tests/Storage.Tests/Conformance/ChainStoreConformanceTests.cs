using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Tests.Infrastructure;

using Xunit;

namespace Coinshard.Storage.Tests.Conformance;

/// <summary>
/// The one conformance suite every engine runs (SqliteConformanceTests, PostgresConformanceTests).
/// Expected values come from <see cref="ChainModel"/>, an independent in-memory model, never from the
/// store's own earlier output alone.
/// </summary>
public abstract partial class ChainStoreConformanceTests : StoreTarget
{
    private const int Seed = 20261122;

    // ------------------------------------------------------------------ migrations and settings

    [StoreFact]
    public async Task Migrations_are_idempotent_and_record_their_versions()
    {
        await using (await ChainStore.OpenAsync(RawOptions, Currency.Bitcoin))
        {
        }
        await using (await ChainStore.OpenAsync(RawOptions, Currency.Bitcoin))
        {
        }
        await using (await ChainStore.OpenAsync(RawOptions, Currency.Litecoin))
        {
        }
        Assert.Equal(1L, Convert.ToInt64(await RawAsync("SELECT version FROM coinshard_schema WHERE component = 'coinshard'")));
        Assert.Equal(2L, Convert.ToInt64(await RawAsync("SELECT version FROM coinshard_schema WHERE component = 'bitcoin'")));
        Assert.Equal(2L, Convert.ToInt64(await RawAsync("SELECT version FROM coinshard_schema WHERE component = 'litecoin'")));
        Assert.Equal(3L, Convert.ToInt64(await RawAsync("SELECT COUNT(*) FROM coinshard_schema")));
        Assert.Equal(0L, Convert.ToInt64(await RawAsync("SELECT COUNT(*) FROM litecoin_coins")));
    }

    [StoreFact]
    public async Task Concurrent_opens_migrate_once_without_errors()
    {
        var opens = Enumerable.Range(0, 4).Select(_ => Task.Run(() => ChainStore.OpenAsync(RawOptions, Currency.Bitcoin))).ToList();
        var stores = await Task.WhenAll(opens);
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
        Assert.Equal(2L, Convert.ToInt64(await RawAsync("SELECT version FROM coinshard_schema WHERE component = 'bitcoin'")));
        Assert.Equal(2L, Convert.ToInt64(await RawAsync("SELECT COUNT(*) FROM coinshard_schema")));
    }

    [StoreFact]
    public async Task A_schema_newer_than_the_code_is_refused_with_a_clear_error()
    {
        await using (await ChainStore.OpenAsync(RawOptions, Currency.Bitcoin))
        {
        }
        await RawAsync("UPDATE coinshard_schema SET version = 99 WHERE component = 'bitcoin'");
        var error = await Assert.ThrowsAsync<SchemaTooNewException>(() => ChainStore.OpenAsync(RawOptions, Currency.Bitcoin));
        Assert.Equal("bitcoin", error.Component);
        Assert.Equal(99, error.DatabaseVersion);
        Assert.Equal(2, error.KnownVersion);
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Settings_are_recorded_and_a_different_network_mode_or_shard_count_is_refused()
    {
        var settings = new ChainStoreSettings(TestNetwork, IndexMode.Full, 0, 16, 100);
        var store = await OpenAsync();
        Assert.Null(store.Settings);
        await store.InitializeAsync(settings);
        Assert.Equal(settings, store.Settings);

        var reopened = await OpenAsync();
        Assert.Equal(settings, reopened.Settings);
        await reopened.InitializeAsync(settings with { UndoDepth = 50 });
        Assert.Equal(50, (await OpenAsync()).Settings!.UndoDepth);

        var network = await Assert.ThrowsAsync<StoreSettingsMismatchException>(
            () => reopened.InitializeAsync(settings with { Network = Network.BitcoinMainnet }));
        Assert.Contains("network is 'bitcoin-regtest' in the database but 'bitcoin-mainnet' in the settings", network.Message, StringComparison.Ordinal);
        Assert.Contains("new database", network.Message, StringComparison.Ordinal);
        var mode = await Assert.ThrowsAsync<StoreSettingsMismatchException>(
            () => reopened.InitializeAsync(settings with { Mode = IndexMode.Utxo }));
        Assert.Contains("mode is 'full' in the database but 'utxo'", mode.Message, StringComparison.Ordinal);
        var shards = await Assert.ThrowsAsync<StoreSettingsMismatchException>(
            () => reopened.InitializeAsync(settings with { ShardCount = 8 }));
        Assert.Contains("shard_count is '16' in the database but '8'", shards.Message, StringComparison.Ordinal);
        var history = await Assert.ThrowsAsync<StoreSettingsMismatchException>(
            () => reopened.InitializeAsync(settings with { HistoryStartHeight = 500 }));
        Assert.Contains("history_start_height", history.Message, StringComparison.Ordinal);
        Assert.Equal(settings with { UndoDepth = 50 }, (await OpenAsync()).Settings);
    }

    [StoreFact]
    public async Task Opening_with_settings_initializes_then_refuses_other_settings()
    {
        var settings = new ChainStoreSettings(TestNetwork, IndexMode.Utxo, 0, 16, 100);
        await using (var store = await ChainStore.OpenAsync(RawOptions, settings))
        {
            Assert.Equal(settings, store.Settings);
        }
        await Assert.ThrowsAsync<StoreSettingsMismatchException>(
            () => ChainStore.OpenAsync(RawOptions, settings with { Network = Network.BitcoinTestnet4 }));
        var plain = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => plain.InitializeAsync(settings with { Network = Network.LitecoinRegtest }));
    }

    [StoreFact]
    public async Task History_is_kept_from_the_configured_start_height_only()
    {
        var store = await OpenAsync();
        await store.InitializeAsync(new ChainStoreSettings(TestNetwork, IndexMode.Full, 3, 16, 100));
        var lease = (await store.TryAcquireLeaseAsync("writer", TimeSpan.FromMinutes(10)))!;
        var model = new ChainModel(Seed);
        for (var i = 0; i < 6; i++)
        {
            var delta = model.NextBlock();
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
        }
        foreach (var scripthash in model.Scripthashes)
        {
            Assert.Equal(model.HistoryOf(scripthash).Where(h => h.Height >= 3), await store.GetHistoryAsync(scripthash, 1000));
        }
        Assert.Null(await store.GetTxPositionAsync(model.Blocks[2].Delta.TxIds[0]));
        Assert.Equal(new TxPosition(3, 0), await store.GetTxPositionAsync(model.Blocks[3].Delta.TxIds[0]));
        for (var i = 0; i < 4; i++)
        {
            await store.DisconnectTipAsync(model.Tip!.Hash, lease);
            model.Disconnect();
        }
        foreach (var scripthash in model.Scripthashes)
        {
            Assert.Empty(await store.GetHistoryAsync(scripthash, 1000));
            Assert.Equal(model.CoinsOf(scripthash), await store.GetCoinsByScripthashAsync(scripthash, 1000));
        }
    }

    [StoreFact]
    public async Task Writing_before_initialize_and_history_in_utxo_mode_are_refused()
    {
        var store = await OpenAsync();
        var model = new ChainModel(Seed);
        var lease = await store.TryAcquireLeaseAsync("writer", TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<StoreNotInitializedException>(() => store.ConnectBlockAsync(model.NextBlock(), lease!));
        await store.InitializeAsync(new ChainStoreSettings(TestNetwork, IndexMode.Utxo, 0, 4, 10));
        await Assert.ThrowsAsync<StoreModeException>(() => store.GetHistoryAsync(model.Scripthashes[0], 10));
    }

    // ------------------------------------------------------------------ connect / disconnect

    [StoreFact]
    public async Task Connect_and_disconnect_round_trips_restore_the_exact_prior_state()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Full);
        var model = new ChainModel(Seed);
        for (var i = 0; i < 3; i++)
        {
            var delta = model.NextBlock();
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
        }
        var dumps = new List<IReadOnlyDictionary<string, IReadOnlyList<string>>> { await store.DumpAsync() };
        for (var i = 0; i < 8; i++)
        {
            var delta = model.NextBlock(maxTransactions: 10);
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
            dumps.Add(await store.DumpAsync());
        }
        for (var i = dumps.Count - 2; i >= 0; i--)
        {
            var tip = model.Tip!;
            var result = await store.DisconnectTipAsync(tip.Hash, lease);
            var block = model.Disconnect();
            Assert.Equal(tip.Height, result.Change.Height);
            Assert.Equal(model.Tip, result.NewTip);
            Assert.Equal(block.Delta.Spent.ToHashSet(), result.Restored.ToHashSet());
            Assert.Equal(block.Delta.Created.ToHashSet(), result.Removed.ToHashSet());
            AssertSameDump(dumps[i], await store.DumpAsync());
        }
    }

    [StoreFact]
    public async Task Randomized_connects_and_disconnects_agree_with_the_model_in_full_mode() =>
        await RunRandomizedAsync(IndexMode.Full, Seed, steps: 60);

    [StoreFact]
    public async Task Randomized_connects_and_disconnects_agree_with_the_model_in_utxo_mode() =>
        await RunRandomizedAsync(IndexMode.Utxo, Seed + 1, steps: 60);

    private async Task RunRandomizedAsync(IndexMode mode, int seed, int steps)
    {
        const int undoDepth = 6;
        var (store, lease) = await OpenWriterAsync(mode, undoDepth);
        var model = new ChainModel(seed, undoDepth: undoDepth, firstHeight: 100);
        var step = 0;
        try
        {
            for (step = 0; step < steps; step++)
            {
                if (model.TipHasUndo && model.Next(10) < 3)
                {
                    var depth = 1 + model.Next(3);
                    for (var d = 0; d < depth && model.TipHasUndo; d++)
                    {
                        await store.DisconnectTipAsync(model.Tip!.Hash, lease);
                        model.Disconnect();
                    }
                }
                else if (model.Next(4) == 0)
                {
                    // A batch: later blocks may spend coins of earlier ones in the same transaction.
                    var batch = new List<BlockDelta>();
                    for (var b = 0; b < 2 + model.Next(3); b++)
                    {
                        var delta = model.NextBlock();
                        model.Apply(delta);
                        batch.Add(delta);
                    }
                    var changes = await store.ConnectBlocksAsync(batch, lease);
                    Assert.Equal(batch.Select(d => d.Height), changes.Select(c => c.Height));
                }
                else
                {
                    var delta = model.NextBlock();
                    await store.ConnectBlockAsync(delta, lease);
                    model.Apply(delta);
                }
                await AssertMatchesModelAsync(store, model, mode);
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"randomized run failed at step {step} (seed {seed}, mode {mode}): {e.Message}", e);
        }
    }

    internal static async Task AssertMatchesModelAsync(ChainStore store, ChainModel model, IndexMode mode)
    {
        Assert.Equal(model.Tip, await store.GetTipAsync());
        var stats = await store.GetCoinStatsAsync();
        Assert.Equal(model.Coins.Count, stats.Count);
        Assert.Equal(model.Coins.Values.Sum(c => c.Value), stats.TotalValue);
        foreach (var scripthash in model.Scripthashes)
        {
            var expected = model.CoinsOf(scripthash);
            Assert.Equal(expected, await store.GetCoinsByScripthashAsync(scripthash, 10_000));
            if (expected.Count > 1)
            {
                // A limit the coins reach takes the engine-ordered path: the same order, cut at the limit.
                Assert.Equal(expected, await store.GetCoinsByScripthashAsync(scripthash, expected.Count));
                Assert.Equal(expected.Take(expected.Count - 1), await store.GetCoinsByScripthashAsync(scripthash, expected.Count - 1));
            }
            Assert.Equal(expected.Sum(c => c.Value), await store.GetBalanceAsync(scripthash));
            if (mode == IndexMode.Full)
            {
                Assert.Equal(model.HistoryOf(scripthash), await store.GetHistoryAsync(scripthash, 10_000));
            }
        }
        Assert.Equal(model.UndoWindow, await store.GetUndoWindowAsync());
        if (model.TipHasUndo)
        {
            var block = model.Blocks[^1].Delta;
            var undo = await store.ReadUndoAsync(block.Height);
            Assert.NotNull(undo);
            Assert.Equal(block.Spent.ToHashSet(), undo.Spent.ToHashSet());
            Assert.Equal(block.Created.Select(c => c.OutPoint).ToHashSet(), undo.Created.ToHashSet());
        }
        if (model.Blocks.Count > 0)
        {
            var last = model.Blocks[^1].Delta;
            Assert.Equal(last.Header, await store.GetHeaderAsync(last.Height));
            Assert.Equal(last.Hash, await store.GetBlockHashAsync(last.Height));
            Assert.Equal(last.Height, await store.GetHeightAsync(last.Hash));
            if (mode == IndexMode.Full)
            {
                Assert.Equal(new TxPosition(last.Height, 0), await store.GetTxPositionAsync(last.TxIds[0]));
            }
        }
    }

    [StoreFact]
    public async Task Coins_are_read_back_in_batches_and_headers_by_range()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var model = new ChainModel(Seed, firstHeight: 0);
        for (var i = 0; i < 6; i++)
        {
            var delta = model.NextBlock(maxTransactions: 8);
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
        }
        var wanted = model.Coins.Keys.Take(20).ToList();
        var missing = Enumerable.Range(0, 5).Select(i => new OutPoint(model.RandomHash(), (uint)i)).ToList();
        var found = await store.GetCoinsAsync([.. wanted, .. missing]);
        Assert.Equal(wanted.Select(o => model.Coins[o]).ToHashSet(), found.ToHashSet());
        Assert.Empty(await store.GetCoinsAsync([]));

        var headers = await store.GetHeadersAsync(2, 10);
        Assert.Equal(model.Blocks.Skip(2).Select(b => b.Delta.Header), headers);
        Assert.Null(await store.GetHeaderAsync(6));
        Assert.Null(await store.GetHeightAsync(model.RandomHash()));
        Assert.Equal(0L, await store.GetBalanceAsync(model.RandomHash()));
    }

    [StoreFact]
    public async Task A_spent_coin_that_is_missing_is_rejected_naming_it_and_nothing_is_written()
    {
        var (store, lease) = await OpenWriterAsync();
        var model = new ChainModel(Seed);
        var first = model.NextBlock();
        await store.ConnectBlockAsync(first, lease);
        model.Apply(first);
        var before = await store.DumpAsync();
        var changesBefore = await store.GetChangesAsync(0, 100);

        var next = model.NextBlock();
        var ghost = new StoredCoin(new OutPoint(model.RandomHash(), 7), 42, 1000, first.Height, false, 1);
        var bad = new BlockDelta(next.Height, next.Hash, next.Header, [.. next.Spent, ghost], next.Created)
        {
            TxIds = next.TxIds,
            History = next.History,
        };
        var error = await Assert.ThrowsAsync<StoreConsistencyException>(() => store.ConnectBlockAsync(bad, lease));
        Assert.Equal(ghost.OutPoint, error.OutPoint);
        Assert.Contains(ghost.OutPoint.ToString(), error.Message, StringComparison.Ordinal);
        AssertSameDump(before, await store.DumpAsync());
        Assert.Equal(changesBefore.LatestSeq, (await store.GetChangesAsync(0, 100)).LatestSeq);

        // The same block without the ghost connects: the failed attempt left no trace.
        await store.ConnectBlockAsync(next, lease);
        model.Apply(next);
        await AssertMatchesModelAsync(store, model, IndexMode.Full);
    }

    [StoreFact]
    public async Task A_batch_of_blocks_is_connected_whole_or_not_at_all()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Full);
        var model = new ChainModel(Seed);
        var good = new List<BlockDelta>();
        for (var i = 0; i < 4; i++)
        {
            var delta = model.NextBlock();
            model.Apply(delta);
            good.Add(delta);
        }
        var changes = await store.ConnectBlocksAsync(good, lease);
        Assert.Equal(good.Select(d => (ChangeKind.Connect, d.Height, d.Hash)), changes.Select(c => (c.Kind, c.Height, c.BlockHash)));
        await AssertMatchesModelAsync(store, model, IndexMode.Full);
        Assert.Equal(new UndoWindow(0, 3), await store.GetUndoWindowAsync());
        var before = await store.DumpAsync();

        var next = model.NextBlock();
        model.Apply(next);
        var after = model.NextBlock();
        var ghost = new StoredCoin(new OutPoint(model.RandomHash(), 0), 1, 1, 0, false, 0);
        var broken = new BlockDelta(after.Height, after.Hash, after.Header, [.. after.Spent, ghost], after.Created);
        var error = await Assert.ThrowsAsync<StoreConsistencyException>(() => store.ConnectBlocksAsync([next, broken], lease));
        Assert.Equal(ghost.OutPoint, error.OutPoint);
        AssertSameDump(before, await store.DumpAsync());

        var gap = await Assert.ThrowsAsync<ChainTipMismatchException>(() => store.ConnectBlocksAsync([next, next], lease));
        Assert.Equal(next.Height, gap.ActualTip!.Height);
        AssertSameDump(before, await store.DumpAsync());
    }

    [StoreFact]
    public async Task A_spent_coin_whose_data_differs_from_the_stored_coin_is_rejected()
    {
        var (store, lease) = await OpenWriterAsync();
        var model = new ChainModel(Seed);
        var first = model.NextBlock();
        await store.ConnectBlockAsync(first, lease);
        model.Apply(first);
        var before = await store.DumpAsync();
        var coin = first.Created[0];
        var next = model.NextBlock();
        var bad = new BlockDelta(next.Height, next.Hash, next.Header, [coin with { Value = coin.Value + 1 }], []);
        var error = await Assert.ThrowsAsync<StoreConsistencyException>(() => store.ConnectBlockAsync(bad, lease));
        Assert.Equal(coin.OutPoint, error.OutPoint);
        AssertSameDump(before, await store.DumpAsync());
    }

    [StoreFact]
    public async Task A_created_coin_that_already_exists_is_rejected_and_nothing_is_written()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        var model = new ChainModel(Seed);
        var first = model.NextBlock();
        await store.ConnectBlockAsync(first, lease);
        model.Apply(first);
        var before = await store.DumpAsync();
        var next = model.NextBlock();
        var duplicate = first.Created.First(c => next.Spent.All(s => s.OutPoint != c.OutPoint)) with { Height = next.Height };
        var bad = new BlockDelta(next.Height, next.Hash, next.Header, next.Spent, [.. next.Created, duplicate]);
        await Assert.ThrowsAsync<StoreConsistencyException>(() => store.ConnectBlockAsync(bad, lease));
        AssertSameDump(before, await store.DumpAsync());
    }

    [StoreFact]
    public async Task A_block_that_does_not_extend_the_tip_is_rejected()
    {
        var (store, lease) = await OpenWriterAsync();
        var model = new ChainModel(Seed);
        var first = model.NextBlock();
        await store.ConnectBlockAsync(first, lease);
        model.Apply(first);
        var before = await store.DumpAsync();

        var orphan = new ChainModel(Seed + 9, firstHeight: first.Height + 1).NextBlock();
        var error = await Assert.ThrowsAsync<ChainTipMismatchException>(() => store.ConnectBlockAsync(orphan, lease));
        Assert.Equal(model.Tip, error.ActualTip);
        Assert.Contains(first.Hash.ToString(), error.Message, StringComparison.Ordinal);

        // Right parent, wrong height.
        var next = model.NextBlock();
        var skipped = new BlockDelta(next.Height + 1, next.Hash, next.Header, [], []);
        await Assert.ThrowsAsync<ChainTipMismatchException>(() => store.ConnectBlockAsync(skipped, lease));

        // Disconnecting something that is not the tip.
        await Assert.ThrowsAsync<ChainTipMismatchException>(() => store.DisconnectTipAsync(model.RandomHash(), lease));
        AssertSameDump(before, await store.DumpAsync());
    }

    [StoreFact]
    public async Task A_delta_whose_hash_does_not_match_its_header_is_rejected_before_writing()
    {
        var (store, lease) = await OpenWriterAsync();
        var next = new ChainModel(Seed).NextBlock();
        var bad = new BlockDelta(next.Height, Hashes.DoubleSha256([1, 2, 3]), next.Header, next.Spent, next.Created);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ConnectBlockAsync(bad, lease));
        Assert.Null(await store.GetTipAsync());
    }

    // ------------------------------------------------------------------ undo window

    [StoreFact]
    public async Task Undo_is_pruned_to_the_window_and_a_deeper_disconnect_is_refused()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Full, undoDepth: 3);
        var model = new ChainModel(Seed, undoDepth: 3);
        for (var i = 0; i < 6; i++)
        {
            var delta = model.NextBlock();
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
        }
        Assert.Equal(new UndoWindow(3, 5), await store.GetUndoWindowAsync());
        Assert.Null(await store.ReadUndoAsync(2));
        for (var i = 0; i < 3; i++)
        {
            await store.DisconnectTipAsync(model.Tip!.Hash, lease);
            model.Disconnect();
            await AssertMatchesModelAsync(store, model, IndexMode.Full);
        }
        Assert.Null(await store.GetUndoWindowAsync());
        var before = await store.DumpAsync();
        var error = await Assert.ThrowsAsync<UndoUnavailableException>(() => store.DisconnectTipAsync(model.Tip!.Hash, lease));
        Assert.Contains("undo window (3 blocks)", error.Message, StringComparison.Ordinal);
        AssertSameDump(before, await store.DumpAsync());
    }

    // ------------------------------------------------------------------ reset

    [StoreFact]
    public async Task Reset_empties_the_chain_state_under_the_lease_keeps_the_settings_and_tells_readers_to_resync()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Full, undoDepth: 3);
        var settings = store.Settings;
        var model = new ChainModel(Seed, undoDepth: 3);
        for (var i = 0; i < 6; i++)
        {
            var delta = model.NextBlock();
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
        }
        var readerPosition = (await store.GetChangesAsync(0, 100)).LatestSeq;

        // A stale lease resets nothing.
        Clock.Advance(TimeSpan.FromMinutes(11));
        var other = await OpenAsync();
        var otherLease = await other.TryAcquireLeaseAsync("other", TimeSpan.FromMinutes(10));
        Assert.NotNull(otherLease);
        var before = await store.DumpAsync();
        await Assert.ThrowsAsync<LeaseLostException>(() => store.ResetAsync(lease));
        AssertSameDump(before, await store.DumpAsync());

        Assert.Equal(model.Tip, await other.ResetAsync(otherLease));
        Assert.Null(await other.GetTipAsync());
        Assert.Equal(new CoinStats(0, 0), await other.GetCoinStatsAsync());
        Assert.Null(await other.GetUndoWindowAsync());
        Assert.Empty(await other.GetHistoryAsync(model.Scripthashes[0], 100));
        var dump = await other.DumpAsync();
        Assert.All(dump.Where(t => !t.Key.EndsWith("_state", StringComparison.Ordinal)), t => Assert.Empty(t.Value));
        Assert.Equal(before.Single(t => t.Key.EndsWith("_state", StringComparison.Ordinal)).Value, dump.Single(t => t.Key.EndsWith("_state", StringComparison.Ordinal)).Value);
        Assert.Equal(settings, (await OpenAsync()).Settings);

        // Readers anywhere before the reset are told they missed changes; one after it is not.
        var page = await other.GetChangesAsync(readerPosition, 100);
        Assert.True(page.MissedChanges);
        Assert.True(page.LatestSeq > readerPosition + 1);
        Assert.False((await other.GetChangesAsync(page.LatestSeq, 100)).MissedChanges);

        // The empty chain accepts a new first block at any height, and resetting an empty chain is harmless.
        var rebuilt = new ChainModel(Seed + 1, undoDepth: 3, firstHeight: 40);
        var first = rebuilt.NextBlock();
        await other.ConnectBlockAsync(first, otherLease);
        rebuilt.Apply(first);
        await AssertMatchesModelAsync(other, rebuilt, IndexMode.Full);
        Assert.Equal(rebuilt.Tip, await other.ResetAsync(otherLease));
        Assert.Null(await other.ResetAsync(otherLease));
    }

    // ------------------------------------------------------------------ leases

    [StoreFact]
    public async Task A_lease_is_exclusive_until_it_expires_then_another_owner_takes_it_with_a_larger_token()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var leaseA = await a.TryAcquireLeaseAsync("node-a", TimeSpan.FromSeconds(15));
        Assert.NotNull(leaseA);
        Assert.Equal("bitcoin.follower", leaseA.Name);
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds() + 15_000, leaseA.ExpiresAtUnixMs);
        Assert.Null(await b.TryAcquireLeaseAsync("node-b", TimeSpan.FromSeconds(15)));

        Clock.Advance(TimeSpan.FromSeconds(10));
        var renewed = await a.RenewLeaseAsync(leaseA, TimeSpan.FromSeconds(15));
        Assert.Equal(leaseA.Token, renewed.Token);
        Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await b.TryAcquireLeaseAsync("node-b", TimeSpan.FromSeconds(15)));

        Clock.Advance(TimeSpan.FromSeconds(6));
        var leaseB = await b.TryAcquireLeaseAsync("node-b", TimeSpan.FromSeconds(15));
        Assert.NotNull(leaseB);
        Assert.True(leaseB.Token > leaseA.Token);
        await Assert.ThrowsAsync<LeaseLostException>(() => a.RenewLeaseAsync(renewed, TimeSpan.FromSeconds(15)));
        Assert.Null(await a.TryAcquireLeaseAsync("node-a", TimeSpan.FromSeconds(15)));

        // Release hands over at once; the token keeps growing.
        await a.ReleaseLeaseAsync(renewed); // a no longer holds it: no effect
        Assert.Null(await a.TryAcquireLeaseAsync("node-a", TimeSpan.FromSeconds(15)));
        await b.ReleaseLeaseAsync(leaseB);
        var again = await a.TryAcquireLeaseAsync("node-a", TimeSpan.FromSeconds(15));
        Assert.NotNull(again);
        Assert.True(again.Token > leaseB.Token);

        // Leases are independent by name.
        Assert.NotNull(await b.TryAcquireLeaseAsync("snapshot", "node-b", TimeSpan.FromSeconds(15)));
    }

    [StoreFact]
    public async Task A_stale_lease_holder_cannot_write_after_a_takeover_and_writes_nothing()
    {
        var (stale, staleLease) = await OpenWriterAsync();
        var model = new ChainModel(Seed);
        var first = model.NextBlock();
        await stale.ConnectBlockAsync(first, staleLease);
        model.Apply(first);

        Clock.Advance(TimeSpan.FromMinutes(11));
        var fresh = await OpenAsync();
        var freshLease = await fresh.TryAcquireLeaseAsync("other", TimeSpan.FromMinutes(10));
        Assert.NotNull(freshLease);
        var before = await fresh.DumpAsync();

        var next = model.NextBlock();
        await Assert.ThrowsAsync<LeaseLostException>(() => stale.ConnectBlockAsync(next, staleLease));
        await Assert.ThrowsAsync<LeaseLostException>(() => stale.DisconnectTipAsync(first.Hash, staleLease));
        AssertSameDump(before, await fresh.DumpAsync());

        // An expired lease fences too, even with nobody else holding it.
        Clock.Advance(TimeSpan.FromMinutes(11));
        await Assert.ThrowsAsync<LeaseLostException>(() => fresh.ConnectBlockAsync(next, freshLease));

        var renewedLease = await fresh.TryAcquireLeaseAsync("other", TimeSpan.FromMinutes(10));
        await fresh.ConnectBlockAsync(next, renewedLease!);
        model.Apply(next);
        await AssertMatchesModelAsync(fresh, model, IndexMode.Full);
    }

    // ------------------------------------------------------------------ change feed

    [StoreFact]
    public async Task The_change_feed_lists_connects_and_disconnects_in_order_with_their_touched_keys()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Full);
        var model = new ChainModel(Seed);
        var expected = new List<(ChangeKind, int, Hash256, ulong[])>();
        for (var i = 0; i < 5; i++)
        {
            var delta = model.NextBlock();
            var change = await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
            var keys = delta.Spent.Select(c => c.ScripthashKey)
                .Concat(delta.Created.Select(c => c.ScripthashKey))
                .Concat(delta.History.Select(h => h.ScripthashKey))
                .Distinct().Order().ToArray();
            Assert.Equal(keys, change.TouchedKeys);
            expected.Add((ChangeKind.Connect, delta.Height, delta.Hash, keys));
        }
        for (var i = 0; i < 2; i++)
        {
            var block = model.Blocks[^1].Delta;
            var result = await store.DisconnectTipAsync(block.Hash, lease);
            model.Disconnect();
            var keys = block.Spent.Select(c => c.ScripthashKey)
                .Concat(block.Created.Select(c => c.ScripthashKey))
                .Concat(block.History.Select(h => h.ScripthashKey))
                .Distinct().Order().ToArray();
            Assert.Equal(keys, result.Change.TouchedKeys);
            expected.Add((ChangeKind.Disconnect, block.Height, block.Hash, keys));
        }

        var page = await store.GetChangesAsync(0, 100);
        Assert.False(page.MissedChanges);
        Assert.Equal(expected, page.Changes.Select(c => (c.Kind, c.Height, c.BlockHash, c.TouchedKeys.ToArray())).ToList(), new ChangeComparer());
        Assert.True(page.Changes.Zip(page.Changes.Skip(1)).All(p => p.First.Seq < p.Second.Seq));
        Assert.Equal(page.Changes[^1].Seq, page.LatestSeq);
        Assert.All(page.Changes, c => Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds(), c.TimeUnixMs));

        var tail = await store.GetChangesAsync(page.Changes[3].Seq, 2);
        Assert.Equal(page.Changes.Skip(4).Take(2).Select(c => c.Seq), tail.Changes.Select(c => c.Seq));
        Assert.Empty((await store.GetChangesAsync(page.LatestSeq, 10)).Changes);
    }

    [StoreFact]
    public async Task The_change_feed_is_pruned_to_its_retention_and_a_reader_behind_it_is_told()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo, changeRetention: 3);
        var model = new ChainModel(Seed);
        var seqs = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            var delta = model.NextBlock();
            seqs.Add((await store.ConnectBlockAsync(delta, lease)).Seq);
            model.Apply(delta);
        }
        var all = await store.GetChangesAsync(0, 100);
        Assert.True(all.MissedChanges);
        Assert.Equal(seqs.TakeLast(3), all.Changes.Select(c => c.Seq));
        var current = await store.GetChangesAsync(seqs[^3] - 1, 100);
        Assert.False(current.MissedChanges);
        Assert.Equal(3, current.Changes.Count);
        Assert.False((await store.GetChangesAsync(seqs[^1], 100)).MissedChanges);
    }

    private sealed class ChangeComparer : IEqualityComparer<(ChangeKind, int, Hash256, ulong[])>
    {
        public bool Equals((ChangeKind, int, Hash256, ulong[]) x, (ChangeKind, int, Hash256, ulong[]) y) =>
            x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3 == y.Item3 && x.Item4.SequenceEqual(y.Item4);

        public int GetHashCode((ChangeKind, int, Hash256, ulong[]) obj) => obj.Item2;
    }

    // ------------------------------------------------------------------ faults

    [StoreFact]
    public async Task A_writer_lock_held_past_the_busy_timeout_gives_a_busy_error_and_writes_nothing()
    {
        var (store, lease) = await OpenWriterAsync(busyTimeout: TimeSpan.FromSeconds(1));
        var model = new ChainModel(Seed);
        var before = await store.DumpAsync();
        await using (await HoldWriterLockAsync())
        {
            var error = await Assert.ThrowsAsync<StoreBusyException>(() => store.ConnectBlockAsync(model.NextBlock(), lease));
            Assert.True(error.IsTransient);
        }
        AssertSameDump(before, await store.DumpAsync());
        var delta = model.NextBlock();
        await store.ConnectBlockAsync(delta, lease);
        model.Apply(delta);
        await AssertMatchesModelAsync(store, model, IndexMode.Full);
    }

    internal static void AssertSameDump(IReadOnlyDictionary<string, IReadOnlyList<string>> expected, IReadOnlyDictionary<string, IReadOnlyList<string>> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (table, rows) in expected)
        {
            Assert.True(rows.SequenceEqual(actual[table]), $"table {table} differs: expected {rows.Count} rows, got {actual[table].Count}");
        }
    }
}
