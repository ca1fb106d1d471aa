using System.Buffers.Binary;
using System.Security.Cryptography;

using Coinshard.Actors;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.Indexing.Snapshots;
using Coinshard.Indexing.Tests.Support;
using Coinshard.Storage;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Snapshots;

using Microsoft.Extensions.Logging.Abstractions;

using Xunit;

namespace Coinshard.Indexing.Tests.Snapshots;

/// <summary>
/// A real litecoind -regtest <c>dumptxoutset</c> (Litecoin Core 0.21: the older format) after a random scenario,
/// loaded with <see cref="SnapshotLoader"/>; the node is the reference (gettxoutsetinfo, scantxoutset), then the
/// follower continues from the base block. Bad files must fail clearly and leave nothing served.
/// </summary>
public abstract class SnapshotLoadScenarios(LitecoindFixture chain)
{
    protected abstract Engine Engine { get; }

    protected LitecoindFixture Chain => chain;

    protected LitecoindNode Node => chain.Node;

    protected async Task LoadMatchesTheNodeThenFollowsAsync(long dustLimit)
    {
        var addresses = await RandomScenarioAsync(seed: dustLimit == 0 ? 5 : 6);
        using var directory = new TempDirectory("snapshot-load");
        var path = directory.Combine("utxo.dat");
        var dump = await Node.Rpc.CallAsync("dumptxoutset", path);
        var baseHeight = dump.GetProperty("base_height").GetInt32();
        var baseHash = Hash256.Parse(dump.GetProperty("base_hash").GetString()!);
        var info = await Node.Rpc.CallAsync("gettxoutsetinfo", "none");
        var expected = await NodeUtxos.ScanAsync(Node, addresses);

        await using var test = await TestStore.CreateAsync(Engine);
        var progress = new List<SnapshotLoadProgress>();
        SnapshotLoadResult result;
        await using (var store = await ChainStore.OpenAsync(test.Options, Settings()))
        {
            var lease = (await store.TryAcquireLeaseAsync("snapshot-test", TimeSpan.FromMinutes(1)))!;
            result = await SnapshotLoader.LoadAsync(
                store, () => lease, chain.CreateBackend(), Network.LitecoinRegtest,
                new SnapshotLoadOptions(path) { DustLimit = dustLimit, BatchSize = 97, Workers = 2, HeaderBatchSize = 50 },
                new SyncProgress(progress), NullLogger.Instance);
            await store.ReleaseLeaseAsync(lease);

            Assert.Equal((baseHeight, baseHash), (result.BaseHeight, result.BaseHash));
            Assert.Equal(new Coinshard.Chain.Blocks.ChainTip(baseHeight, baseHash), await store.GetTipAsync());
            Assert.Equal(baseHeight + 1, result.Headers);
            var headers = await store.GetHeadersAsync(0, baseHeight + 1);
            Assert.Equal(Hash256.Parse(await Node.Rpc.CallStringAsync("getblockhash", 0)), Hashes.DoubleSha256(headers[0]));
            Assert.Equal(baseHash, Hashes.DoubleSha256(headers[^1]));

            // The node's answers, filtered by the dust limit where there is one.
            var nodeCoins = info.GetProperty("txouts").GetInt64();
            Assert.Equal(nodeCoins, result.CoinsWritten + result.CoinsSkipped);
            var stats = await store.GetCoinStatsAsync();
            Assert.Equal(result.CoinsWritten, stats.Count);
            if (dustLimit == 0)
            {
                Assert.Equal(0, result.CoinsSkipped);
                Assert.Equal(NodeUtxos.Satoshis(info.GetProperty("total_amount")), stats.TotalValue);
            }
            else
            {
                Assert.True(result.CoinsSkipped > 0, "the scenario pays some outputs below the dust limit");
                Assert.True(stats.TotalValue < NodeUtxos.Satoshis(info.GetProperty("total_amount")));
            }
            foreach (var address in addresses)
            {
                var scripthash = new Hash256(SHA256.HashData(Convert.FromHexString(await NodeUtxos.ScriptOfAsync(Node, address))));
                var ours = NodeUtxos.Sorted((await store.GetCoinsByScripthashAsync(scripthash, 10_000))
                    .Select(c => new NodeUtxo(c.OutPoint.TxId.ToString(), c.OutPoint.Index, c.Value, c.Height)));
                Assert.Equal(expected[address].Where(c => c.Value >= dustLimit).ToList(), ours);
                Assert.Equal(ours.Sum(c => c.Value), await store.GetBalanceAsync(scripthash));
            }
            var status = await store.GetBulkLoadStatusAsync();
            Assert.Equal((BulkLoadState.Complete, dustLimit, result.CoinsSkipped), (status!.State, status.Target.DustLimit, status.CoinsSkipped));
        }
        Assert.Equal(SnapshotLoadPhase.Complete, progress[^1].Phase);
        Assert.Contains(progress, p => p.Phase == SnapshotLoadPhase.Coins && p.CoinsDone > 0 && p.CoinsDone < p.CoinsTotal && p.BytesDone > 0);
        Assert.Equal(new FileInfo(path).Length, progress[^1].BytesTotal);

        // The follower continues from the base block; spends of skipped dust are ignored.
        await using var system = new ActorSystem("snapshot-follow", new ActorSystemOptions { LoggerFactory = chain.Logs });
        await using var index = await CurrencyIndexer.StartAsync(
            new IndexerOptions(Network.LitecoinRegtest) { PollInterval = TimeSpan.FromMilliseconds(100) },
            chain.CreateBackend(), test.Options, system, chain.Logs);
        addresses.AddRange(await SpendEverythingOnAsync(addresses));
        await chain.MakeActivityAsync();
        addresses.AddRange(chain.Addresses);
        await NodeComparison.WaitForTipAsync(index, Node);
        if (dustLimit == 0)
        {
            await NodeComparison.AssertMatchesNodeAsync(index, Node, addresses.Distinct().ToList());
        }
        else
        {
            var after = await NodeUtxos.ScanAsync(Node, addresses.Distinct().ToList());
            foreach (var (address, coins) in after)
            {
                var scripthash = new Hash256(SHA256.HashData(Convert.FromHexString(await NodeUtxos.ScriptOfAsync(Node, address))));
                var ours = NodeUtxos.Sorted((await index.Store.GetCoinsByScripthashAsync(scripthash, 10_000))
                    .Select(c => new NodeUtxo(c.OutPoint.TxId.ToString(), c.OutPoint.Index, c.Value, c.Height)));
                // Coins created after the base block are all indexed; older ones only at or above the dust limit.
                Assert.Equal(coins.Where(c => c.Height > baseHeight || c.Value >= dustLimit).ToList(), ours);
            }
        }
        Assert.Equal(FollowerState.Following, index.Status.State);
    }

    protected async Task BadFilesFailClearlyAndNothingIsServedAsync()
    {
        using var directory = new TempDirectory("snapshot-bad");
        var good = directory.Combine("good.dat");
        await Node.Rpc.CallAsync("dumptxoutset", good);
        var bytes = await File.ReadAllBytesAsync(good);
        var offsets = CoinOffsets(good);
        var random = new Random(11);

        var cases = new List<(string Name, byte[] File, string Expect)>();
        for (var i = 0; i < 4; i++)
        {
            var cut = random.Next(45, bytes.Length - 1);
            cases.Add(($"truncated at {cut}", bytes[..cut], "offset"));
        }
        // The first txid byte as stored is the first one chainstate order compares: pick a coin whose flipped byte
        // sorts after the next coin's.
        var victim = Enumerable.Range(random.Next(1, offsets.Count / 2), offsets.Count / 2)
            .Select(i => offsets[i])
            .First(o => (bytes[o] ^ 0xFF) > bytes[offsets[offsets.IndexOf(o) + 1]]);
        var flipped = (byte[])bytes.Clone();
        flipped[victim] ^= 0xFF;
        cases.Add(("flipped txid byte", flipped, "offset"));
        cases.Add(("count one larger", WithCount(bytes, +1), "offset"));
        cases.Add(("count one smaller", WithCount(bytes, -1), "offset"));
        var version2 = SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions { Network = Network.LitecoinRegtest, CoinCount = 50 });
        var badMagic = (byte[])version2.Clone();
        badMagic[4] = 0xFE;
        cases.Add(("wrong magic", badMagic, "magic"));
        cases.Add(("wrong network", SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions { Network = Network.LitecoinMainnet, CoinCount = 50 }), "not for litecoin-regtest"));

        await using var test = await TestStore.CreateAsync(Engine);
        await using var store = await ChainStore.OpenAsync(test.Options, Settings());
        var lease = (await store.TryAcquireLeaseAsync("snapshot-test", TimeSpan.FromMinutes(5)))!;
        foreach (var (name, file, expect) in cases)
        {
            var path = directory.Combine("bad.dat");
            await File.WriteAllBytesAsync(path, file);
            var error = await Assert.ThrowsAsync<SnapshotLoadException>(() => SnapshotLoader.LoadAsync(
                store, () => lease, Chain.CreateBackend(), Network.LitecoinRegtest,
                new SnapshotLoadOptions(path) { BatchSize = 64 }, null, NullLogger.Instance));
            Assert.True(error.Message.Contains(expect, StringComparison.OrdinalIgnoreCase), $"{name}: {error.Message}");
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            // Nothing served, nothing recorded: the index is empty and may be loaded again.
            Assert.Null(await store.GetBulkLoadStatusAsync());
            Assert.Null(await store.GetTipAsync());
            Assert.Equal(0, (await store.GetCoinStatsAsync()).Count);
        }
    }

    /// <summary>Random payments of random sizes to fresh addresses of every kind (some below 100,000 sat), mined.</summary>
    protected async Task<List<string>> RandomScenarioAsync(int seed)
    {
        var random = new Random(seed);
        var kinds = new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 };
        var addresses = new List<string>();
        for (var block = 0; block < 2; block++)
        {
            var payments = new Dictionary<string, long>();
            for (var i = 0; i < 8; i++)
            {
                var address = await Node.NewAddressAsync(kinds[random.Next(kinds.Length)]);
                addresses.Add(address);
                payments[address] = random.Next(3) == 0 ? 20_000 + random.Next(50_000) : 1_000_000 + random.NextInt64(300_000_000);
            }
            await Node.SendManyAsync(payments);
            await Node.MineAsync(1);
        }
        return addresses;
    }

    /// <summary>Spends every coin of the given addresses (dust included) to one new address; returns it.</summary>
    private async Task<List<string>> SpendEverythingOnAsync(List<string> addresses)
    {
        var target = await Node.NewAddressAsync(AddressKind.Bech32);
        var unspent = await Node.Rpc.CallAsync("listunspent", 0, 9_999_999, addresses);
        var inputs = unspent.EnumerateArray().Select(u => new Dictionary<string, object> { ["txid"] = u.GetProperty("txid").GetString()!, ["vout"] = u.GetProperty("vout").GetInt32() }).ToList();
        var total = unspent.EnumerateArray().Sum(u => NodeUtxos.Satoshis(u.GetProperty("amount")));
        var raw = await Node.Rpc.CallStringAsync("createrawtransaction", inputs, new Dictionary<string, object> { [target] = (total - 100_000) / 100_000_000m });
        var signed = await Node.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        await Node.Rpc.CallAsync("sendrawtransaction", signed.GetProperty("hex").GetString());
        await Node.MineAsync(1);
        return [target];
    }

    private static ChainStoreSettings Settings() => new(Network.LitecoinRegtest, IndexMode.Utxo, 0, 16, 800);

    private static List<int> CoinOffsets(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new UtxoSnapshotReader(file, Network.LitecoinRegtest);
        var offsets = new List<int>();
        while (reader.MoveNext())
        {
            offsets.Add((int)reader.Current.Offset);
        }
        return offsets;
    }

    /// <summary>The older format: base hash (32 bytes), then the coin count as u64 little-endian.</summary>
    private static byte[] WithCount(byte[] file, int delta)
    {
        var copy = (byte[])file.Clone();
        var count = BinaryPrimitives.ReadUInt64LittleEndian(copy.AsSpan(32));
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(32), (ulong)((long)count + delta));
        return copy;
    }

    /// <summary>Collects progress synchronously (Progress&lt;T&gt; posts to the pool and may lag).</summary>
    private sealed class SyncProgress(List<SnapshotLoadProgress> sink) : IProgress<SnapshotLoadProgress>
    {
        public void Report(SnapshotLoadProgress value)
        {
            lock (sink)
            {
                sink.Add(value);
            }
        }
    }
}

/// <summary>Snapshot loads on SQLite.</summary>
[Collection(LitecoindTests.Name)]
public sealed class SqliteSnapshotLoadTests(LitecoindFixture chain) : SnapshotLoadScenarios(chain)
{
    protected override Engine Engine => Engine.Sqlite;

    [Fact]
    public Task A_real_litecoind_dump_loads_equal_to_the_node_then_the_follower_continues() => LoadMatchesTheNodeThenFollowsAsync(0);

    [Fact]
    public Task With_a_dust_limit_small_outputs_are_left_out_and_their_later_spends_ignored() => LoadMatchesTheNodeThenFollowsAsync(100_000);

    [Fact]
    public Task Bad_files_fail_naming_the_offset_and_nothing_is_served() => BadFilesFailClearlyAndNothingIsServedAsync();
}

/// <summary>Snapshot loads on PostgreSQL (skipped without COINSHARD_TEST_POSTGRES).</summary>
[Collection(LitecoindTests.Name)]
public sealed class PostgresSnapshotLoadTests(LitecoindFixture chain) : SnapshotLoadScenarios(chain)
{
    protected override Engine Engine => Engine.PostgreSql;

    [PostgresFact]
    public Task A_real_litecoind_dump_loads_equal_to_the_node_then_the_follower_continues() => LoadMatchesTheNodeThenFollowsAsync(0);

    [PostgresFact]
    public Task Bad_files_fail_naming_the_offset_and_nothing_is_served() => BadFilesFailClearlyAndNothingIsServedAsync();
}
