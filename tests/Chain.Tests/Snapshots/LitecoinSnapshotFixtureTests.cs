using System.Text.Json;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>
/// A real <c>dumptxoutset</c> file from litecoind v0.21.2.1 -regtest (Fixtures/litecoin-regtest/snapshot/, made by its
/// generate.sh), checked against what the node said beside it: gettxoutsetinfo, getchaintxstats, gettxout for a
/// sample of every script kind, and the full coin list derived from the blocks (each checked with gettxout).
/// </summary>
public class LitecoinSnapshotFixtureTests
{
    private const string Folder = "litecoin-regtest/snapshot";

    private static byte[] File() => Fixture.Bytes($"{Folder}/utxo.dat");

    private static JsonElement Json(string name) => Fixture.Json($"{Folder}/{name}").RootElement;

    private static int BaseHeight => Json("dumptxoutset.json").GetProperty("base_height").GetInt32();

    private static UtxoSnapshotReaderOptions Options(LegacyHeaderLayout layout = LegacyHeaderLayout.Detect) =>
        new() { Network = Network.LitecoinRegtest, BaseHeight = BaseHeight, LegacyHeader = layout };

    [Fact]
    public void Litecoin_0_21_writes_the_older_format_with_nChainTx()
    {
        var dump = Json("dumptxoutset.json");
        var (header, _) = SnapshotTestFiles.ReadAll(File(), Options());
        Assert.Equal(UtxoSnapshotFormat.Legacy, header.Format);
        Assert.Equal(44, header.Length);
        Assert.True(header.LayoutDetected);
        Assert.Equal(Json("getchaintxstats.json").GetProperty("txcount").GetUInt32(), header.ChainTxCount);
        Assert.Equal(dump.GetProperty("base_hash").GetString(), header.BaseBlockHash.ToString());
        Assert.Equal(dump.GetProperty("coins_written").GetUInt64(), header.CoinCount);
        // The same, told rather than detected.
        Assert.Equal(header with { LayoutDetected = false }, SnapshotTestFiles.ReadAll(File(), Options(LegacyHeaderLayout.WithChainTx)).Header);
        Assert.Throws<SnapshotFormatException>(() => SnapshotTestFiles.ReadAll(File(), Options(LegacyHeaderLayout.WithoutChainTx)));
    }

    [Fact]
    public void Every_coin_and_the_totals_match_the_node()
    {
        var coins = SnapshotTestFiles.ReadAll(File(), Options()).Coins;
        var info = Json("gettxoutsetinfo.json");
        Assert.Equal(info.GetProperty("txouts").GetInt32(), coins.Count);
        Assert.Equal(LitecoinRegtestFixtures.Satoshis(info.GetProperty("total_amount")), coins.Sum(c => c.Value));
        Assert.Equal(ExpectedCoins(), coins);
        Assert.Equal(coins, SnapshotTestFiles.ReadAllBatched(File(), Options(), 100));
        Assert.Contains(coins, c => c.PegOut);
        Assert.Contains(coins, c => c.Coinbase);
        Assert.Contains(coins, c => c.Script.StartsWith("5820", StringComparison.Ordinal)); // the HogAddr
    }

    [Fact]
    public void Sampled_coins_equal_the_nodes_gettxout()
    {
        var byOutPoint = SnapshotTestFiles.ReadAll(File(), Options()).Coins.ToDictionary(c => c.OutPoint);
        var tip = Json("gettxoutsetinfo.json").GetProperty("height").GetInt32();
        var kinds = new HashSet<string>();
        foreach (var sample in Json("gettxout-sample.json").EnumerateArray())
        {
            var node = sample.GetProperty("gettxout");
            var coin = byOutPoint[$"{sample.GetProperty("txid").GetString()}:{sample.GetProperty("vout").GetInt32()}"];
            Assert.Equal(LitecoinRegtestFixtures.Satoshis(node.GetProperty("value")), coin.Value);
            Assert.Equal(node.GetProperty("scriptPubKey").GetProperty("hex").GetString(), coin.Script);
            Assert.Equal(node.GetProperty("coinbase").GetBoolean(), coin.Coinbase);
            Assert.Equal(tip - node.GetProperty("confirmations").GetInt32() + 1, coin.Height);
            kinds.Add(sample.GetProperty("kind").GetString()!);
        }
        Assert.Superset(new HashSet<string> { "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "p2pk-compressed", "p2pk-uncompressed", "hogaddr" }, kinds);
    }

    [Fact]
    public void The_file_uses_every_script_template_and_raw_scripts()
    {
        using var reader = new UtxoSnapshotReader(new MemoryStream(File()), Options());
        var batch = new SnapshotCoinBatch(10_000);
        reader.ReadBatch(batch);
        var sizes = Enumerable.Range(0, batch.Count).Select(i => Math.Min(batch.GetCompressedScriptSize(i), 6u)).ToHashSet();
        Assert.Equal([0u, 1, 2, 3, 4, 5, 6], sizes.Order().ToArray());
    }

    [Fact]
    public void Our_writer_reproduces_the_nodes_file_byte_for_byte()
    {
        var file = File();
        using var reader = new UtxoSnapshotReader(new MemoryStream(file), Options());
        using var copy = new MemoryStream();
        using (var writer = new UtxoSnapshotWriter(copy, new UtxoSnapshotWriterOptions
        {
            Network = Network.LitecoinRegtest,
            BaseBlockHash = reader.Header.BaseBlockHash,
            CoinCount = reader.Header.CoinCount,
            Format = UtxoSnapshotFormat.Legacy,
            ChainTxCount = reader.Header.ChainTxCount,
            LeaveOpen = true,
        }))
        {
            while (reader.MoveNext())
            {
                writer.Write(reader.Current);
            }
            writer.Complete();
        }
        Assert.Equal(Hex.Encode(file), Hex.Encode(copy.ToArray()));
    }

    [Fact]
    public void A_base_height_below_the_newest_coin_is_rejected()
    {
        var ex = Assert.Throws<SnapshotFormatException>(() => SnapshotTestFiles.ReadAll(File(), Options() with { BaseHeight = BaseHeight - 1 }));
        Assert.Equal(SnapshotError.HeightAboveBase, ex.Error);
        Assert.NotNull(ex.Offset);
    }

    private static List<CoinRow> ExpectedCoins()
    {
        var root = Json("coins.json");
        Assert.Equal("txid vout value script height coinbase pegout",
            string.Join(' ', root.GetProperty("fields").EnumerateArray().Select(f => f.GetString())));
        return root.GetProperty("coins").EnumerateArray().Select(c => new CoinRow(
            $"{c[0].GetString()}:{c[1].GetInt32()}", c[2].GetInt64(), c[4].GetInt32(), c[5].GetBoolean(), c[6].GetBoolean(), c[3].GetString()!)).ToList();
    }
}
