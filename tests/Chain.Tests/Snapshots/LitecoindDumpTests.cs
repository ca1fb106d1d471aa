using System.Globalization;
using System.Text.Json;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>A fresh <c>dumptxoutset</c> from a real litecoind -regtest on every run, read and checked coin by coin against the node.</summary>
public class LitecoindDumpTests
{
    [Fact]
    public async Task A_fresh_dump_reads_back_as_the_nodes_UTXO_set()
    {
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "snapshot", Rest = false });
        await node.EnsureFundsAsync();
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            await node.SendAsync(await node.NewAddressAsync(kind), 12_345_678);
            await node.SendAsync(await node.NewAddressAsync(kind), 100_000_000);
        }
        await node.Rpc.CallAsync("generatetodescriptor", 1, "pk(04" + ScriptCompressionTests.GX + ScriptCompressionTests.GY + ")");
        await node.Rpc.CallAsync("generatetodescriptor", 1, "pk(" + ScriptCompressionTests.GenesisKey + ")");
        await node.MinePastMwebActivationAsync(extraBlocks: 2);

        using var directory = new TempDirectory("snapshot");
        var path = directory.Combine("utxo.dat");
        var dump = await node.Rpc.CallAsync("dumptxoutset", path);
        var info = await node.Rpc.CallAsync("gettxoutsetinfo");
        var baseHeight = dump.GetProperty("base_height").GetInt32();

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        using var reader = new UtxoSnapshotReader(file, new UtxoSnapshotReaderOptions { Network = Network.LitecoinRegtest, BaseHeight = baseHeight });
        Assert.Equal((UtxoSnapshotFormat.Legacy, 44), (reader.Header.Format, reader.Header.Length));
        Assert.Equal(dump.GetProperty("base_hash").GetString(), reader.Header.BaseBlockHash.ToString());
        Assert.Equal((await node.Rpc.CallAsync("getchaintxstats", 1)).GetProperty("txcount").GetUInt32(), reader.Header.ChainTxCount);
        var coins = new List<CoinRow>();
        while (reader.MoveNext())
        {
            coins.Add(CoinRow.From(reader.Current));
        }
        Assert.Equal(info.GetProperty("txouts").GetInt32(), coins.Count);
        Assert.Equal(LitecoinRegtestFixtures.Satoshis(info.GetProperty("total_amount")), coins.Sum(c => c.Value));
        foreach (var coin in coins)
        {
            var colon = coin.OutPoint.IndexOf(':', StringComparison.Ordinal);
            var answer = await node.Rpc.CallAsync("gettxout", coin.OutPoint[..colon], int.Parse(coin.OutPoint[(colon + 1)..], CultureInfo.InvariantCulture), false);
            Assert.Equal(JsonValueKind.Object, answer.ValueKind);
            Assert.Equal(LitecoinRegtestFixtures.Satoshis(answer.GetProperty("value")), coin.Value);
            Assert.Equal(answer.GetProperty("scriptPubKey").GetProperty("hex").GetString(), coin.Script);
            Assert.Equal(answer.GetProperty("coinbase").GetBoolean(), coin.Coinbase);
            Assert.Equal(baseHeight - answer.GetProperty("confirmations").GetInt32() + 1, coin.Height);
        }
        Assert.Contains(coins, c => c.Script == "4104" + ScriptCompressionTests.GX + ScriptCompressionTests.GY + "ac");
        Assert.Contains(coins, c => c.Script == "41" + ScriptCompressionTests.GenesisKey + "ac");
        Assert.Contains(coins, c => Hex.Decode(c.Script) is [0x58, 0x20, ..]); // the HogEx's HogAddr
    }
}
