using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

using Coinshard.Backends;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Indexing.Applying;
using Coinshard.Indexing.Tests.Support;
using Coinshard.Storage;

using Xunit;

using static Coinshard.Indexing.Tests.Support.SyntheticBlocks;

namespace Coinshard.Indexing.Tests.Applying;

/// <summary>
/// The block → delta rules, checked against expectations built independently of the builder: the
/// node's own verbose JSON for the Litecoin regtest fixtures, and the Chain object model (not the
/// scanner) with plain set logic for Bitcoin block 413567.
/// </summary>
public class BlockDeltaBuilderTests
{
    private const string RegtestDir = "litecoin-regtest";

    // ------------------------------------------------------------------ Litecoin regtest fixtures vs the node's JSON

    public static TheoryData<int, IndexMode> RegtestBlocks()
    {
        var data = new TheoryData<int, IndexMode>();
        foreach (var height in new[] { 111, 112, 113, 432, 433, 434, 435, 436 })
        {
            data.Add(height, IndexMode.Utxo);
            data.Add(height, IndexMode.Full);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RegtestBlocks))]
    public async Task Litecoin_regtest_blocks_give_the_coins_spends_and_history_the_node_reports(int height, IndexMode mode)
    {
        var expected = ExpectedFromNodeJson(height);
        var builder = new BlockDeltaBuilder(Network.LitecoinRegtest, mode);
        var lookup = new FakeCoins(expected.ExternalSpends.Select(SyntheticCoin));

        var delta = await builder.BuildAsync(Hex.Decode(Fixture.Text($"{RegtestDir}/block-{height}.hex")), height, lookup.LookupAsync);

        Assert.Equal(expected.Hash, delta.Hash);
        Assert.Equal(height, delta.Height);
        Assert.Equal(expected.Created.OrderBy(c => c.OutPoint).ToList(), delta.Created.OrderBy(c => c.OutPoint).ToList());
        Assert.Equal(expected.ExternalSpends.Order().ToList(), delta.Spent.Select(c => c.OutPoint).Order().ToList());
        Assert.Equal(expected.ExternalSpends.Select(SyntheticCoin).OrderBy(c => c.OutPoint).ToList(), delta.Spent.OrderBy(c => c.OutPoint).ToList());
        Assert.Single(lookup.Calls);
        Assert.Equal(expected.ExternalSpends.ToHashSet(), lookup.Calls[0].ToHashSet());
        Assert.Equal(expected.SameBlockKeys.Order().ToList(), delta.TouchedKeys.Order().ToList());
        if (mode == IndexMode.Full)
        {
            Assert.Equal(expected.TxIds, delta.TxIds);
            var wantedHistory = expected.History
                .Concat(expected.ExternalSpendHistory.Select(s => (SyntheticCoin(s.OutPoint).ScripthashKey, s.TxPos)))
                .Distinct()
                .Order()
                .ToList();
            Assert.Equal(wantedHistory, delta.History.Select(h => (h.ScripthashKey, h.TxPos)).Order().ToList());
            Assert.Equal(delta.History.Count, delta.History.Distinct().Count());
            Assert.All(delta.History, h => Assert.Equal(expected.TxIds[h.TxPos], h.TxId));
        }
        else
        {
            Assert.Empty(delta.TxIds);
            Assert.Empty(delta.History);
        }
    }

    [Fact]
    public async Task A_coin_created_and_spent_in_one_block_never_reaches_the_store_but_stays_in_the_history()
    {
        // Block 113: 3c94732e… spends output 1 of bf8c141a…, both in the block.
        var json = Fixture.Json($"{RegtestDir}/block-113.json").RootElement;
        var txs = json.GetProperty("tx").EnumerateArray().ToList();
        var parent = Hash256.Parse(txs[1].GetProperty("txid").GetString());
        var child = Hash256.Parse(txs[2].GetProperty("txid").GetString());
        Assert.Equal(parent, Hash256.Parse(txs[2].GetProperty("vin")[0].GetProperty("txid").GetString()));
        var inner = new OutPoint(parent, 1);
        var innerKey = KeyOfScriptHex(txs[1].GetProperty("vout")[1].GetProperty("scriptPubKey").GetProperty("hex").GetString()!);
        var expected = ExpectedFromNodeJson(113);
        var lookup = new FakeCoins(expected.ExternalSpends.Select(SyntheticCoin));

        var delta = await new BlockDeltaBuilder(Network.LitecoinRegtest, IndexMode.Full)
            .BuildAsync(Hex.Decode(Fixture.Text($"{RegtestDir}/block-113.hex")), 113, lookup.LookupAsync);

        Assert.DoesNotContain(delta.Created, c => c.OutPoint == inner);
        Assert.DoesNotContain(delta.Spent, c => c.OutPoint == inner);
        Assert.DoesNotContain(inner, lookup.Calls[0]);
        Assert.Contains(new BlockHistoryEntry(innerKey, 1, parent), delta.History);
        Assert.Contains(new BlockHistoryEntry(innerKey, 2, child), delta.History);
        Assert.Contains(innerKey, delta.TouchedKeys);
    }

    [Fact]
    public async Task Op_return_outputs_and_witness_commitments_are_never_coins()
    {
        // Block 113's last transaction carries an OP_RETURN ("coinshard regtest fixtures"); every coinbase a witness commitment.
        var json = Fixture.Json($"{RegtestDir}/block-113.json").RootElement;
        var txs = json.GetProperty("tx").EnumerateArray().ToList();
        var nullData = txs.SelectMany(t => t.GetProperty("vout").EnumerateArray()
                .Where(o => o.GetProperty("scriptPubKey").GetProperty("type").GetString() == "nulldata")
                .Select(o => new OutPoint(Hash256.Parse(t.GetProperty("txid").GetString()), o.GetProperty("n").GetUInt32())))
            .ToList();
        Assert.Equal(2, nullData.Count);
        var expected = ExpectedFromNodeJson(113);

        var delta = await new BlockDeltaBuilder(Network.LitecoinRegtest, IndexMode.Full)
            .BuildAsync(Hex.Decode(Fixture.Text($"{RegtestDir}/block-113.hex")), 113, new FakeCoins(expected.ExternalSpends.Select(SyntheticCoin)).LookupAsync);

        Assert.All(nullData, o => Assert.DoesNotContain(delta.Created, c => c.OutPoint == o));
        var opReturnKey = KeyOfScriptHex(txs[5].GetProperty("vout")[0].GetProperty("scriptPubKey").GetProperty("hex").GetString()!);
        Assert.DoesNotContain(delta.History, h => h.ScripthashKey == opReturnKey);
    }

    [Fact]
    public async Task The_hogex_spends_the_previous_hogex_output_and_this_blocks_pegins_and_its_outputs_are_coins()
    {
        // Block 435: HogEx ce1f5be8… spends HogEx output b152ceb3…:0 (block 434) and peg-in f3f5f77d…:0 (this block).
        var json = Fixture.Json($"{RegtestDir}/block-435.json").RootElement;
        var txs = json.GetProperty("tx").EnumerateArray().ToList();
        var hogEx = Hash256.Parse(txs[^1].GetProperty("txid").GetString());
        var previousHogExOutput = new OutPoint(Hash256.Parse(txs[^1].GetProperty("vin")[0].GetProperty("txid").GetString()), 0);
        var pegIn = new OutPoint(Hash256.Parse(txs[1].GetProperty("txid").GetString()), 0);
        var expected = ExpectedFromNodeJson(435);

        var delta = await new BlockDeltaBuilder(Network.LitecoinRegtest, IndexMode.Utxo)
            .BuildAsync(Hex.Decode(Fixture.Text($"{RegtestDir}/block-435.hex")), 435, new FakeCoins(expected.ExternalSpends.Select(SyntheticCoin)).LookupAsync);

        Assert.Contains(delta.Spent, c => c.OutPoint == previousHogExOutput);
        Assert.DoesNotContain(delta.Spent, c => c.OutPoint == pegIn);
        Assert.DoesNotContain(delta.Created, c => c.OutPoint == pegIn);
        Assert.Equal([0u, 1u, 2u], delta.Created.Where(c => c.OutPoint.TxId == hogEx).Select(c => c.OutPoint.Index).Order().ToArray());
        Assert.All(delta.Created.Where(c => c.OutPoint.TxId == hogEx), c => Assert.Equal(3, c.TxPos));
    }

    // ------------------------------------------------------------------ Bitcoin block 413567 vs the object model

    [Theory]
    [InlineData(IndexMode.Utxo)]
    [InlineData(IndexMode.Full)]
    public async Task Bitcoin_block_413567_matches_the_object_model_with_plain_set_logic(IndexMode mode)
    {
        const int Height = 413567;
        var raw = Fixture.Bytes("bitcoin-core/block413567.raw");
        var block = Block.Parse(raw, Currency.Bitcoin);
        var createdHere = new Dictionary<OutPoint, (ulong Key, long Value, bool Coinbase, int TxPos)>();
        var history = new HashSet<(ulong, int)>();
        var spentHere = new List<(OutPoint OutPoint, int TxPos)>();
        for (var pos = 0; pos < block.Transactions.Count; pos++)
        {
            var tx = block.Transactions[pos];
            if (!tx.IsCoinbase)
            {
                spentHere.AddRange(tx.Inputs.Select(i => (i.PrevOut, pos)));
            }
            for (var n = 0; n < tx.Outputs.Count; n++)
            {
                var script = tx.Outputs[n].ScriptPubKey.Span;
                if (script.Length > 0 && script[0] == 0x6a)
                {
                    continue;
                }
                var key = KeyOf(script);
                createdHere[new OutPoint(tx.TxId, (uint)n)] = (key, tx.Outputs[n].Value, tx.IsCoinbase, pos);
                history.Add((key, pos));
            }
        }
        var internalSpends = spentHere.Where(s => createdHere.ContainsKey(s.OutPoint)).ToList();
        var externalSpends = spentHere.Where(s => !createdHere.ContainsKey(s.OutPoint)).ToList();
        foreach (var (outPoint, pos) in internalSpends)
        {
            history.Add((createdHere[outPoint].Key, pos));
        }
        foreach (var (outPoint, pos) in externalSpends)
        {
            history.Add((SyntheticCoin(outPoint).ScripthashKey, pos));
        }
        var expectedCreated = createdHere
            .Where(c => !internalSpends.Any(s => s.OutPoint == c.Key))
            .Select(c => new StoredCoin(c.Key, c.Value.Key, c.Value.Value, Height, c.Value.Coinbase, c.Value.TxPos))
            .OrderBy(c => c.OutPoint)
            .ToList();
        Assert.Equal(1557, block.Transactions.Count);
        Assert.NotEmpty(internalSpends);

        var lookup = new FakeCoins(externalSpends.Select(s => SyntheticCoin(s.OutPoint)));
        var delta = await new BlockDeltaBuilder(Network.BitcoinMainnet, mode).BuildAsync(raw, Height, lookup.LookupAsync);

        Assert.Equal(block.Hash, delta.Hash);
        Assert.Equal(raw[..80], delta.Header);
        Assert.Equal(expectedCreated, delta.Created.OrderBy(c => c.OutPoint).ToList());
        Assert.Equal(externalSpends.Select(s => s.OutPoint).Order().ToList(), delta.Spent.Select(c => c.OutPoint).Order().ToList());
        Assert.Equal(externalSpends.Select(s => s.OutPoint).ToHashSet(), lookup.Calls.Single().ToHashSet());
        if (mode == IndexMode.Full)
        {
            Assert.Equal(block.GetTxIds(), delta.TxIds);
            Assert.Equal(history.Order().ToList(), delta.History.Select(h => (h.ScripthashKey, h.TxPos)).Order().ToList());
        }
    }

    // ------------------------------------------------------------------ rules no fixture shows

    [Fact]
    public async Task The_genesis_coinbase_is_not_a_coin_as_in_core()
    {
        // Bitcoin's genesis block (the well-known 285 bytes); its hash proves the bytes.
        var raw = Hex.Decode(
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a" +
            "29ab5f49ffff001d1dac2b7c0101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d010445546865" +
            "2054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b" +
            "73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c" +
            "384df7ba0b8d578a4c702b6bf11d5fac00000000");
        var lookup = new FakeCoins([]);

        var delta = await new BlockDeltaBuilder(Network.BitcoinMainnet, IndexMode.Full).BuildAsync(raw, 0, lookup.LookupAsync);

        Assert.Equal(Network.BitcoinMainnet.GenesisHash, delta.Hash);
        Assert.Empty(delta.Created);
        Assert.Empty(delta.Spent);
        Assert.Empty(delta.History);
        Assert.Single(delta.TxIds);
        Assert.Empty(lookup.Calls);

        // The same coinbase one block later is a coin.
        var later = await new BlockDeltaBuilder(Network.BitcoinMainnet, IndexMode.Utxo).BuildAsync(raw, 1, lookup.LookupAsync);
        Assert.Equal(5_000_000_000, Assert.Single(later.Created).Value);
    }

    [Fact]
    public async Task Scripts_longer_than_ten_thousand_bytes_are_not_coins()
    {
        var coinbase = Coinbase(7, new TxOut(10, new byte[10_001]), new TxOut(20, new byte[10_000]), new TxOut(30, P2pkh(1)));
        var raw = RawBlock(Hash256.Zero, coinbase);

        var delta = await new BlockDeltaBuilder(Network.BitcoinRegtest, IndexMode.Utxo).BuildAsync(raw, 7, new FakeCoins([]).LookupAsync);

        Assert.Equal([1u, 2u], delta.Created.Select(c => c.OutPoint.Index).ToArray());
    }

    [Fact]
    public async Task Bip30_blocks_on_bitcoin_mainnet_pass_the_overwritten_coinbase_coin_as_spent()
    {
        // Blocks 91842 and 91880 repeat the coinbases of 91812 and 91722: same txid, same outpoint.
        var coinbase = Coinbase(1, new TxOut(50_0000_0000, P2pkh(9)));
        var outPoint = new OutPoint(coinbase.TxId, 0);
        var old = new StoredCoin(outPoint, KeyOf(P2pkh(9)), 50_0000_0000, 91812, true, 0);
        var raw = RawBlock(Hash256.Zero, coinbase);
        var lookup = new FakeCoins([old]);

        var delta = await new BlockDeltaBuilder(Network.BitcoinMainnet, IndexMode.Full).BuildAsync(raw, 91842, lookup.LookupAsync);

        Assert.Equal([old], delta.Spent);
        Assert.Equal(new StoredCoin(outPoint, old.ScripthashKey, old.Value, 91842, true, 0), Assert.Single(delta.Created));
        Assert.Single(delta.History); // the overwrite is no spend of the history's

        // Anywhere else (another height, another network) the coinbase is not looked up.
        var elsewhere = new FakeCoins([old]);
        Assert.Empty((await new BlockDeltaBuilder(Network.BitcoinMainnet, IndexMode.Utxo).BuildAsync(raw, 91843, elsewhere.LookupAsync)).Spent);
        Assert.Empty((await new BlockDeltaBuilder(Network.BitcoinRegtest, IndexMode.Utxo).BuildAsync(raw, 91842, elsewhere.LookupAsync)).Spent);
        Assert.Empty(elsewhere.Calls);
    }

    [Fact]
    public async Task A_missing_coin_is_an_inconsistency_naming_it_unless_the_index_started_above_genesis()
    {
        var missing = new OutPoint(Hash256.Parse("11".PadLeft(64, '0')), 3);
        var known = new StoredCoin(new OutPoint(Hash256.Parse("22".PadLeft(64, '0')), 0), 42, 1000, 5, false, 1);
        var raw = RawBlock(Hash256.Zero, Coinbase(10, new TxOut(1, P2pkh(1))), Spend([missing, known.OutPoint], new TxOut(900, P2pkh(2))));

        var error = await Assert.ThrowsAsync<StoreConsistencyException>(() =>
            new BlockDeltaBuilder(Network.BitcoinRegtest, IndexMode.Utxo).BuildAsync(raw, 10, new FakeCoins([known]).LookupAsync));
        Assert.Equal(missing, error.OutPoint);
        Assert.Contains(missing.ToString(), error.Message, StringComparison.Ordinal);

        var builder = new BlockDeltaBuilder(Network.BitcoinRegtest, IndexMode.Full, startHeight: 8);
        var batch = await builder.ResolveAsync([builder.Scan(raw, 10)], new FakeCoins([known]).LookupAsync);
        Assert.Equal(1, batch.MissingCoinsSkipped);
        Assert.Equal([known], batch.Deltas[0].Spent);
    }

    [Fact]
    public async Task A_batch_resolves_coins_of_its_earlier_blocks_in_memory_with_one_lookup_for_the_rest()
    {
        var stored = new StoredCoin(new OutPoint(Hash256.Parse("33".PadLeft(64, '0')), 1), 7, 5000, 3, false, 2);
        var firstCoinbase = Coinbase(20, new TxOut(100, P2pkh(1)), new TxOut(200, P2pkh(2)));
        var first = RawBlock(Hash256.Zero, firstCoinbase);
        var firstHash = Hashes.DoubleSha256(first.AsSpan(0, 80));
        var spendBoth = Spend([new OutPoint(firstCoinbase.TxId, 1), stored.OutPoint], new TxOut(5100, P2pkh(3)));
        var second = RawBlock(firstHash, Coinbase(21, new TxOut(100, P2pkh(4))), spendBoth);
        var builder = new BlockDeltaBuilder(Network.BitcoinRegtest, IndexMode.Utxo);
        var lookup = new FakeCoins([stored]);

        var batch = await builder.ResolveAsync([builder.Scan(first, 20), builder.Scan(second, 21)], lookup.LookupAsync);

        Assert.Equal([stored.OutPoint], Assert.Single(lookup.Calls));
        Assert.Equal(1, batch.CoinsLookedUp);
        var createdFirst = batch.Deltas[0].Created.Single(c => c.OutPoint.Index == 1);
        Assert.Equal([createdFirst, stored], batch.Deltas[1].Spent);
        Assert.Equal(2, batch.Deltas[0].Created.Count); // it is spent by the next block, not inside its own

        var error = await Assert.ThrowsAsync<ArgumentException>(() => builder.ResolveAsync([builder.Scan(second, 21), builder.Scan(first, 22)], lookup.LookupAsync));
        Assert.Contains("does not follow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolving_a_batch_again_gives_the_same_deltas()
    {
        var expected = ExpectedFromNodeJson(112);
        var builder = new BlockDeltaBuilder(Network.LitecoinRegtest, IndexMode.Full);
        var scanned = builder.Scan(Hex.Decode(Fixture.Text($"{RegtestDir}/block-112.hex")), 112);
        var lookup = new FakeCoins(expected.ExternalSpends.Select(SyntheticCoin));

        var once = (await builder.ResolveAsync([scanned], lookup.LookupAsync)).Deltas[0];
        var twice = (await builder.ResolveAsync([scanned], lookup.LookupAsync)).Deltas[0];

        Assert.Equal(once.History, twice.History);
        Assert.Equal(once.Spent, twice.Spent);
        Assert.Equal(once.Created, twice.Created);
    }

    // ------------------------------------------------------------------ independent expectations

    private sealed record Expected(
        Hash256 Hash,
        List<StoredCoin> Created,
        List<OutPoint> ExternalSpends,
        List<(OutPoint OutPoint, int TxPos)> ExternalSpendHistory,
        List<ulong> SameBlockKeys,
        List<(ulong, int)> History,
        List<Hash256> TxIds);

    /// <summary>What a block must give, read from the node's <c>getblock … 2</c> JSON alone.</summary>
    private static Expected ExpectedFromNodeJson(int height)
    {
        var json = Fixture.Json($"{RegtestDir}/block-{height}.json").RootElement;
        Assert.Equal(height, json.GetProperty("height").GetInt32());
        var created = new Dictionary<OutPoint, StoredCoin>();
        var spends = new List<(OutPoint, int)>();
        var history = new List<(ulong, int)>();
        var sameBlockKeys = new List<ulong>();
        var txIds = new List<Hash256>();
        var pos = 0;
        foreach (var tx in json.GetProperty("tx").EnumerateArray())
        {
            var txId = Hash256.Parse(tx.GetProperty("txid").GetString());
            txIds.Add(txId);
            var coinbase = tx.GetProperty("vin")[0].TryGetProperty("coinbase", out _);
            foreach (var input in tx.GetProperty("vin").EnumerateArray().Where(i => !i.GetProperty("ismweb").GetBoolean() && !coinbase))
            {
                var outPoint = new OutPoint(Hash256.Parse(input.GetProperty("txid").GetString()), input.GetProperty("vout").GetUInt32());
                if (created.Remove(outPoint, out var inner))
                {
                    sameBlockKeys.Add(inner.ScripthashKey);
                    history.Add((inner.ScripthashKey, pos));
                }
                else
                {
                    spends.Add((outPoint, pos));
                }
            }
            foreach (var output in tx.GetProperty("vout").EnumerateArray().Where(o => !o.GetProperty("ismweb").GetBoolean()))
            {
                var script = output.GetProperty("scriptPubKey");
                if (script.GetProperty("type").GetString() == "nulldata")
                {
                    continue;
                }
                var key = KeyOfScriptHex(script.GetProperty("hex").GetString()!);
                var outPoint = new OutPoint(txId, output.GetProperty("n").GetUInt32());
                created[outPoint] = new StoredCoin(outPoint, key, CoinAmount.ParseSatoshis(output.GetProperty("value").GetRawText()), height, coinbase, pos);
                history.Add((key, pos));
            }
            pos++;
        }
        return new Expected(
            Hash256.Parse(json.GetProperty("hash").GetString()),
            created.Values.ToList(),
            spends.Select(s => s.Item1).ToList(),
            spends,
            sameBlockKeys,
            history,
            txIds);
    }

    private static ulong KeyOfScriptHex(string hex) => KeyOf(Convert.FromHexString(hex));

    /// <summary>The 8-byte key, computed here with the framework's SHA-256: first 8 digest bytes, little-endian.</summary>
    private static ulong KeyOf(ReadOnlySpan<byte> script) => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(script));

    /// <summary>A made-up stored coin for an outpoint the fixtures spend (the real one is in an earlier block).</summary>
    private static StoredCoin SyntheticCoin(OutPoint outPoint) =>
        new(outPoint, outPoint.TxId.Low64 ^ outPoint.Index, 1000 + outPoint.Index, 1, false, (int)(outPoint.Index % 7));

    /// <summary>A coin lookup over fixed coins that records every call.</summary>
    private sealed class FakeCoins(IEnumerable<StoredCoin> coins)
    {
        private readonly Dictionary<OutPoint, StoredCoin> _coins = coins.ToDictionary(c => c.OutPoint);

        public List<List<OutPoint>> Calls { get; } = [];

        public Task<IReadOnlyList<StoredCoin>> LookupAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct)
        {
            Calls.Add(outPoints.ToList());
            IReadOnlyList<StoredCoin> found = outPoints.Where(_coins.ContainsKey).Select(o => _coins[o]).ToList();
            return Task.FromResult(found);
        }
    }
}
