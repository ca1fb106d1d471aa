using System.Text.Json;

using Coinshard.Chain.Hashing;

using Xunit;

namespace Coinshard.Backends.Tests.Core;

/// <summary>Broadcast, mempool, fee figures and transaction fetches against a real litecoind.</summary>
[Collection(RegtestChainGroup.Name)]
public class CoreTransactionTests(RegtestChainFixture f)
{
    [Fact]
    public async Task Broadcast_succeeds_is_idempotent_and_maps_each_refusal()
    {
        var coin = await WalletCoinAsync();
        var first = await SignAsync([(coin.Txid, coin.Vout)], await f.Rest.NewAddressAsync(), coin.Amount - 10_000);
        var conflicting = await SignAsync([(coin.Txid, coin.Vout)], await f.Rest.NewAddressAsync(), coin.Amount - 20_000);
        var expectedTxid = (await f.Rest.Rpc.CallAsync("decoderawtransaction", Convert.ToHexStringLower(first))).GetProperty("txid").GetString();

        // Success, and again: a transaction already in the mempool is accepted again.
        Assert.Equal(expectedTxid, (await f.RestBackend.BroadcastAsync(first)).ToString());
        Assert.Equal(expectedTxid, (await f.RestBackend.BroadcastAsync(first)).ToString());
        Assert.Contains(Hash256.Parse(expectedTxid!), await f.RestBackend.GetMempoolTxidsAsync());

        // Double spend of a mempool coin.
        var conflict = await Assert.ThrowsAsync<TransactionConflictException>(() => f.RestBackend.BroadcastAsync(conflicting));
        Assert.Equal("txn-mempool-conflict", conflict.Reason);
        Assert.Equal(-26, conflict.Code);

        // Confirmed: sending it again is "already in chain"; the conflicting one now spends a spent coin.
        await f.Rest.MineAsync(1);
        var inChain = await Assert.ThrowsAsync<TransactionAlreadyInChainException>(() => f.RestBackend.BroadcastAsync(first));
        Assert.Equal(-27, inChain.Code);
        var spent = await Assert.ThrowsAsync<TransactionMissingInputsException>(() => f.RestBackend.BroadcastAsync(conflicting));
        Assert.Contains("missingorspent", spent.Reason, StringComparison.Ordinal);

        // An input that never existed.
        var phantom = await UnsignedAsync([(new string('a', 64), 0)], await f.Rest.NewAddressAsync(), 100_000);
        await Assert.ThrowsAsync<TransactionMissingInputsException>(() => f.RestBackend.BroadcastAsync(phantom));

        // No fee at all.
        var another = await WalletCoinAsync();
        var feeless = await SignAsync([(another.Txid, another.Vout)], await f.Rest.NewAddressAsync(), another.Amount);
        var lowFee = await Assert.ThrowsAsync<TransactionFeeTooLowException>(() => f.RestBackend.BroadcastAsync(feeless));
        Assert.Contains("min relay fee not met", lowFee.Reason, StringComparison.Ordinal);

        // Not a transaction.
        await Assert.ThrowsAsync<TransactionDecodeException>(() => f.RestBackend.BroadcastAsync(new byte[] { 0x00, 0xff }));
        Assert.True(f.RestBackend.Health.IsHealthy);
    }

    [Fact]
    public async Task Mempool_entries_report_fee_size_and_unconfirmed_parents()
    {
        var coin = await WalletCoinAsync();
        var parentBytes = await SignAsync([(coin.Txid, coin.Vout)], await f.Rest.NewAddressAsync(), coin.Amount - 30_000);
        var parent = await f.RestBackend.BroadcastAsync(parentBytes);
        var childBytes = await SignAsync([(parent.ToString(), 0)], await f.Rest.NewAddressAsync(), coin.Amount - 30_000 - 45_000);
        var child = await f.RestBackend.BroadcastAsync(childBytes);

        var txids = await f.RestBackend.GetMempoolTxidsAsync();
        Assert.Contains(parent, txids);
        Assert.Contains(child, txids);
        var entries = (await f.RestBackend.GetMempoolEntriesAsync()).ToDictionary(e => e.Txid);
        Assert.Equal(txids.Order(), entries.Keys.Order());

        foreach (var txid in new[] { parent, child })
        {
            var node = await f.Rest.Rpc.CallAsync("getmempoolentry", txid.ToString());
            var entry = entries[txid];
            Assert.Equal(RegtestChainFixture.Sats(node.GetProperty("fees").GetProperty("base")), entry.Fee);
            Assert.Equal(node.GetProperty("vsize").GetInt32(), entry.VSize);
            Assert.Equal(node.GetProperty("weight").GetInt32(), entry.Weight);
            Assert.Equal(node.GetProperty("time").GetInt64(), entry.Time.ToUnixTimeSeconds());
        }
        Assert.Equal(30_000, entries[parent].Fee);
        Assert.Equal(45_000, entries[child].Fee);
        Assert.Empty(entries[parent].Depends);
        Assert.Equal([parent], entries[child].Depends);
        Assert.Equal(45_000 * 1000 / entries[child].VSize, entries[child].FeeRate.SatoshisPerKvB);

        var info = await f.RestBackend.GetMempoolInfoAsync();
        var nodeInfo = await f.Rest.Rpc.CallAsync("getmempoolinfo");
        Assert.Equal(nodeInfo.GetProperty("size").GetInt32(), info.Size);
        Assert.Equal(nodeInfo.GetProperty("bytes").GetInt64(), info.Bytes);
        Assert.True(info.Loaded);
        var networkInfo = await f.Rest.Rpc.CallAsync("getnetworkinfo");
        Assert.Equal(
            CoinAmount.ParseSatoshis(networkInfo.GetProperty("incrementalfee").GetRawText()),
            info.IncrementalRelayFee.SatoshisPerKvB);
        Assert.True(info.IncrementalRelayFee.SatoshisPerKvB > 0);
        await f.Rest.MineAsync(1);
    }

    [Fact]
    public async Task Relay_and_mempool_minimum_fees_are_the_nodes_defaults()
    {
        // Litecoin Core 0.21's defaults: 0.00001 LTC/kvB = 1 sat/vB.
        Assert.Equal(new FeeRate(1000), await f.RestBackend.GetRelayFeeAsync());
        Assert.Equal(new FeeRate(1000), await f.RestBackend.GetMempoolMinFeeAsync());
        Assert.Equal(1m, (await f.RestBackend.GetRelayFeeAsync()).SatoshisPerVByte);
    }

    [Fact]
    public async Task Transactions_are_fetched_by_id_with_txindex_and_unknown_ones_are_null()
    {
        var coin = await WalletCoinAsync();
        var expected = await f.Rest.Rpc.CallStringAsync("getrawtransaction", coin.Txid, false);
        Assert.Equal(expected, Convert.ToHexStringLower((await f.RestBackend.GetTransactionAsync(Hash256.Parse(coin.Txid)))!));
        Assert.Null(await f.RestBackend.GetTransactionAsync(Hash256.Parse(new string('e', 64))));

        // Without txindex a confirmed transaction needs its block.
        var block = (await f.Rest.Rpc.CallAsync("getrawtransaction", coin.Txid, true)).GetProperty("blockhash").GetString()!;
        await TestSupport.Litecoind.LitecoindNode.SyncAsync(f.Rest, f.Plain);
        Assert.Null(await f.PlainBackend.GetTransactionAsync(Hash256.Parse(coin.Txid)));
        Assert.Equal(expected, Convert.ToHexStringLower((await f.PlainBackend.GetTransactionAsync(Hash256.Parse(coin.Txid), Hash256.Parse(block)))!));
    }

    [Fact]
    public async Task Verbose_transactions_are_the_nodes_own_json_and_unknown_ones_are_null()
    {
        var coin = await WalletCoinAsync();
        var json = await f.RestBackend.GetTransactionJsonAsync(Hash256.Parse(coin.Txid));

        using var ours = System.Text.Json.JsonDocument.Parse(json!);
        var node = await f.Rest.Rpc.CallAsync("getrawtransaction", coin.Txid, true);
        Assert.Equal(coin.Txid, ours.RootElement.GetProperty("txid").GetString());
        Assert.Equal(node.GetProperty("hex").GetString(), ours.RootElement.GetProperty("hex").GetString());
        Assert.Equal(node.GetProperty("blockhash").GetString(), ours.RootElement.GetProperty("blockhash").GetString());
        Assert.Equal(node.GetProperty("vout").GetArrayLength(), ours.RootElement.GetProperty("vout").GetArrayLength());
        Assert.Null(await f.RestBackend.GetTransactionJsonAsync(Hash256.Parse(new string('e', 64))));
    }

    private sealed record Coin(string Txid, int Vout, long Amount);

    private async Task<Coin> WalletCoinAsync()
    {
        var unspent = await f.SpendableCoinAsync();
        return new Coin(unspent.GetProperty("txid").GetString()!, unspent.GetProperty("vout").GetInt32(), RegtestChainFixture.Sats(unspent.GetProperty("amount")));
    }

    private async Task<byte[]> UnsignedAsync(IEnumerable<(string Txid, int Vout)> inputs, string address, long amount)
    {
        var raw = await f.Rest.Rpc.CallStringAsync(
            "createrawtransaction",
            inputs.Select(i => new Dictionary<string, object> { ["txid"] = i.Txid, ["vout"] = i.Vout }).ToArray(),
            new Dictionary<string, decimal> { [address] = amount / 100_000_000m });
        return Convert.FromHexString(raw);
    }

    private async Task<byte[]> SignAsync(IEnumerable<(string Txid, int Vout)> inputs, string address, long amount)
    {
        var raw = await UnsignedAsync(inputs, address, amount);
        var signed = await f.Rest.Rpc.CallAsync("signrawtransactionwithwallet", Convert.ToHexStringLower(raw));
        Assert.True(signed.GetProperty("complete").GetBoolean(), signed.ToString());
        return Convert.FromHexString(signed.GetProperty("hex").GetString()!);
    }
}
