using System.Security.Cryptography;
using System.Text;

using Coinshard.Actors;
using Coinshard.Actors.Testing;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Indexing.Applying;
using Coinshard.Indexing.Shards;
using Coinshard.Storage;
using Coinshard.TestSupport;

using Xunit;

using static Coinshard.Indexing.Tests.Support.SyntheticBlocks;

namespace Coinshard.Indexing.Tests.Shards;

/// <summary>
/// The shards over a real SQLite store written with hand-made blocks. Expected statuses are the Electrum
/// protocol's definition computed here with the framework's SHA-256 over the expected history text.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes them through IAsyncLifetime.")]
public sealed class ScripthashShardsTests : IAsyncLifetime
{
    private TempDirectory _directory = null!;
    private ActorSystem _system = null!;
    private ChainStore _store = null!;
    private LeaseToken _lease = null!;
    private Hash256 _parent = Hash256.Zero;
    private int _height = 100;

    private static byte[] ScriptA => P2pkh(0xA1);

    private static byte[] ScriptB => P2pkh(0xB2);

    private static Hash256 A => new(SHA256.HashData(ScriptA));

    private static Hash256 B => new(SHA256.HashData(ScriptB));

    public async Task InitializeAsync()
    {
        _directory = new TempDirectory("shards");
        _system = new ActorSystem("shards");
        _store = await ChainStore.OpenAsync(StoreOptions.Sqlite(_directory.Combine("x.db")), ChainStoreSettings.Default(Network.BitcoinRegtest, IndexMode.Full) with { ShardCount = 4 });
        _lease = (await _store.TryAcquireLeaseAsync("test", TimeSpan.FromMinutes(10)))!;
    }

    public async Task DisposeAsync()
    {
        await _system.ShutdownAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private ScripthashShards NewShards(IndexMode mode = IndexMode.Utxo, Func<ChainStore?>? store = null, string name = "sh") =>
        new(_system, name, 4, new ShardContext(store ?? (() => _store), mode, 100, 1000));

    /// <summary>Connects a block of the given transactions (a coinbase first) and returns its touched keys.</summary>
    private async Task<IReadOnlyList<ulong>> ConnectAsync(params Transaction[] transactions)
    {
        var raw = RawBlock(_parent, [Coinbase(_height, new TxOut(1, P2pkh(0xCC))), .. transactions]);
        var delta = await new BlockDeltaBuilder(Network.BitcoinRegtest, IndexMode.Full).BuildAsync(raw, _height, _store.GetCoinsAsync);
        var change = await _store.ConnectBlockAsync(delta, _lease);
        _parent = delta.Hash;
        _height++;
        return change.TouchedKeys;
    }

    private static string Status(string history) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(history)));

    [Fact]
    public void The_electrum_status_is_the_sha256_of_the_history_text_and_null_when_empty()
    {
        var tx1 = Hash256.Parse("11".PadLeft(64, '0'));
        var tx2 = Hash256.Parse("f2".PadLeft(64, 'e'));
        Assert.Null(ElectrumStatus.Compute([]));
        Assert.Equal(Status($"{tx1}:5:{tx2}:0:"), ElectrumStatus.Compute([new StatusEntry(tx1, 5), new StatusEntry(tx2, 0)]));
        Assert.Equal(Status($"{tx2}:-1:"), ElectrumStatus.Compute([new StatusEntry(tx2, -1)]));
    }

    [Fact]
    public async Task In_utxo_mode_the_status_hashes_the_distinct_transactions_with_unspent_outputs_in_block_order()
    {
        var shards = NewShards();
        Assert.Null((await shards.GetStatusAsync(A)).Status);

        var pay = Spend([new OutPoint(Hash256.Parse("aa".PadLeft(64, '0')), 0)], new TxOut(10, ScriptA), new TxOut(11, ScriptA), new TxOut(12, ScriptB));
        var payAgain = Spend([new OutPoint(Hash256.Parse("ab".PadLeft(64, '0')), 0)], new TxOut(20, ScriptA));
        await SeedAsync(pay.Inputs[0].PrevOut, payAgain.Inputs[0].PrevOut);
        var first = _height;
        await shards.PublishAsync(await ConnectAsync(pay, payAgain), first); // drops the cached empty status
        var statusA = await shards.GetStatusAsync(A);
        Assert.Equal(Status($"{pay.TxId}:{first}:{payAgain.TxId}:{first}:"), statusA.Status);
        Assert.Equal(2, statusA.HistoryCount);

        // Spending both of pay's outputs to A removes pay from A's utxo-mode history.
        var spend = Spend([new OutPoint(pay.TxId, 0), new OutPoint(pay.TxId, 1)], new TxOut(21, ScriptB));
        var keys = await ConnectAsync(spend);
        await shards.PublishAsync(keys, first + 1);
        Assert.Equal(Status($"{payAgain.TxId}:{first}:"), (await shards.GetStatusAsync(A)).Status);
        Assert.Equal(Status($"{pay.TxId}:{first}:{spend.TxId}:{first + 1}:"), (await shards.GetStatusAsync(B)).Status);
    }

    [Fact]
    public async Task Subscribers_hear_of_changes_of_their_script_only_and_only_when_the_status_changes()
    {
        var shards = NewShards();
        var probeA = new TestProbe<ScripthashStatusChanged>("a");
        var probeB = new TestProbe<ScripthashStatusChanged>("b");
        Assert.Null((await shards.SubscribeAsync(A, probeA)).Status);
        Assert.Null((await shards.SubscribeAsync(B, probeB)).Status);
        await shards.SubscribeAsync(A, probeA); // twice is once

        var pay = Spend([new OutPoint(Hash256.Parse("ac".PadLeft(64, '0')), 0)], new TxOut(10, ScriptA));
        await SeedAsync(pay.Inputs[0].PrevOut);
        var height = _height;
        var keys = await ConnectAsync(pay);
        await shards.PublishAsync(keys, height);
        var changed = await probeA.ExpectMsgAsync();
        Assert.Equal(new ScripthashStatusChanged(A, Status($"{pay.TxId}:{height}:"), height), changed);
        await probeB.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // The same keys again (nothing changed for A): no notification.
        await shards.PublishAsync(keys, height);
        await probeA.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, probeA.Count);

        Assert.True(await shards.UnsubscribeAsync(A, probeA));
        var info = await shards.GetInfoAsync();
        Assert.Equal(1, info.Sum(i => i.Subscribers));
        Assert.Equal(1, info[shards.ShardIndexOf(B)].SubscribedScripthashes);
    }

    [Fact]
    public async Task Unconfirmed_entries_from_the_mempool_seam_come_after_the_confirmed_history()
    {
        var shards = NewShards(IndexMode.Full, name: "full");
        var mempoolTx = Hash256.Parse("cd".PadLeft(64, '0'));
        var pay = Spend([new OutPoint(Hash256.Parse("ad".PadLeft(64, '0')), 0)], new TxOut(10, ScriptA));
        await SeedAsync(pay.Inputs[0].PrevOut);
        var height = _height;
        await ConnectAsync(pay);
        var probe = new TestProbe<ScripthashStatusChanged>("m");
        await shards.SubscribeAsync(A, probe);

        shards.Unconfirmed = new FixedMempool(A, [new StatusEntry(mempoolTx, 0)]);
        await shards.PublishAsync([ScripthashKeys.Of(A)], height);
        var changed = await probe.ExpectMsgAsync();
        Assert.Equal(Status($"{pay.TxId}:{height}:{mempoolTx}:0:"), changed.Status);
    }

    [Fact]
    public async Task Without_an_open_store_a_status_request_fails_with_a_store_error_and_the_shard_lives_on()
    {
        ChainStore? store = null;
        var shards = NewShards(store: () => store, name: "closed");
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => shards.GetStatusAsync(A));
        Assert.Contains("not open", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => shards.SubscribeAsync(A, new TestProbe<ScripthashStatusChanged>()));

        store = _store;
        Assert.Null((await shards.GetStatusAsync(A)).Status);
        Assert.All(shards.Shards, s => Assert.Equal(0, s.Restarts));
    }

    [Fact]
    public async Task Keys_map_to_shards_by_the_actor_layers_stable_hash_of_their_eight_bytes()
    {
        var shards = NewShards(name: "map");
        var key = ScripthashKeys.Of(A);
        Assert.Equal(Actors.Sharding.ShardHash.ShardIndex(BitConverter.GetBytes(key), 4), shards.ShardIndexOf(A));
        Assert.Equal(shards.ShardIndexOf(key), shards.ShardIndexOf(A));
    }

    /// <summary>Creates the coins the test transactions spend (a seed block).</summary>
    private async Task SeedAsync(params OutPoint[] outPoints)
    {
        var coins = outPoints.Select(o => new StoredCoin(o, 1, 1000, _height, false, 1)).ToList();
        var header = RawBlock(_parent, Coinbase(_height))[..80];
        var delta = new BlockDelta(_height, Hashes.DoubleSha256(header), header, [], coins) { TxIds = [Hashes.DoubleSha256(header)] };
        await _store.ConnectBlockAsync(delta, _lease);
        _parent = delta.Hash;
        _height++;
    }

    private sealed class FixedMempool(Hash256 scripthash, IReadOnlyList<StatusEntry> entries) : IUnconfirmedHistory
    {
        public ValueTask<IReadOnlyList<StatusEntry>> GetAsync(Hash256 requested, CancellationToken cancellationToken) =>
            ValueTask.FromResult(requested == scripthash ? entries : []);
    }
}
