using System.Text.Json;

using Coinshard.Chain;
using Coinshard.Chain.Addresses;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Backends.Tests.Core;

/// <summary>UTXO lookups and UTXO-set scans against a real litecoind, checked against its wallet.</summary>
[Collection(RegtestChainGroup.Name)]
public class CoreUtxoTests(RegtestChainFixture f)
{
    // A BIP32 test key (Bitcoin Core's rpc_scantxoutset.py uses it); ranged scans over it derive many keys, which takes a while.
    private const string TestKey = "tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK";

    private sealed record Coin(string Txid, int Vout, long Amount, string Script);

    [Fact]
    public async Task Address_scans_of_every_type_equal_the_wallets_listunspent()
    {
        await f.Rest.MineAsync(1); // confirm whatever earlier tests left in the mempool
        var addresses = f.FundedAddresses.Values.ToList();
        var result = await f.RestBackend.GetAddressUtxosAsync(addresses);

        var listed = await f.Rest.Rpc.CallAsync("listunspent", 1, 9_999_999, addresses);
        var tip = await f.Rest.GetBlockCountAsync();
        Assert.Equal(tip, result.Height);
        var expected = listed.EnumerateArray()
            .Select(u => (Address: u.GetProperty("address").GetString()!, Coin: ToCoin(u), Height: tip - u.GetProperty("confirmations").GetInt32() + 1))
            .OrderBy(e => e.Coin.Txid).ThenBy(e => e.Coin.Vout)
            .ToList();
        var actual = result.Utxos
            .Select(u => (u.Address, Coin: new Coin(u.Utxo.Txid.ToString(), u.Utxo.Vout, u.Utxo.Amount, Convert.ToHexStringLower(u.Utxo.ScriptPubKey)), u.Utxo.Height))
            .OrderBy(e => e.Coin.Txid).ThenBy(e => e.Coin.Vout)
            .ToList();
        Assert.NotEmpty(expected);
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            Assert.Contains(expected, e => e.Address == f.FundedAddresses[kind]);
        }
        Assert.Equal(expected, actual);

        var balances = await f.RestBackend.GetAddressBalancesAsync(addresses);
        foreach (var address in addresses)
        {
            Assert.Equal(expected.Where(e => e.Address == address).Sum(e => e.Coin.Amount), balances[address]);
        }
    }

    [Fact]
    public async Task Address_without_coins_has_zero_balance_and_invalid_addresses_are_refused()
    {
        var empty = await f.Rest.NewAddressAsync(AddressKind.Bech32);
        var balances = await f.RestBackend.GetAddressBalancesAsync([empty]);
        Assert.Equal(0, balances[empty]);

        byte[] p2wpkh = [0x00, 0x14, .. Enumerable.Repeat((byte)0x11, 20)];
        var mainnetAddress = AddressCodec.Encode(p2wpkh, Network.LitecoinMainnet)!;
        await Assert.ThrowsAsync<WrongNetworkException>(() => f.RestBackend.GetAddressUtxosAsync([mainnetAddress]));
        await Assert.ThrowsAnyAsync<ChainFormatException>(() => f.RestBackend.GetAddressUtxosAsync(["not an address"]));
    }

    [Fact]
    public async Task Gettxout_tells_unspent_spent_and_mempool_outputs_apart()
    {
        // A confirmed wallet coin.
        var listed = await f.SpendableCoinAsync();
        var coin = ToCoin(listed);
        var tip = await f.Rest.GetBlockCountAsync();
        var utxo = await f.RestBackend.GetUtxoAsync(Hash256.Parse(coin.Txid), coin.Vout);
        Assert.NotNull(utxo);
        Assert.Equal(coin.Amount, utxo.Amount);
        Assert.Equal(coin.Script, Convert.ToHexStringLower(utxo.ScriptPubKey));
        Assert.Equal(listed.GetProperty("confirmations").GetInt32(), utxo.Confirmations);
        Assert.Equal(tip - utxo.Confirmations + 1, utxo.Height);
        Assert.Equal(await f.Rest.GetBestBlockHashAsync(), utxo.BestBlock.ToString());

        // Spend it in the mempool: gone with the mempool view, still there without.
        var spend = await SpendAsync(coin, await f.Rest.NewAddressAsync(), coin.Amount - 10_000);
        Assert.Null(await f.RestBackend.GetUtxoAsync(Hash256.Parse(coin.Txid), coin.Vout, includeMempool: true));
        Assert.NotNull(await f.RestBackend.GetUtxoAsync(Hash256.Parse(coin.Txid), coin.Vout, includeMempool: false));

        // The new output exists only in the mempool.
        var mempoolOutput = await f.RestBackend.GetUtxoAsync(Hash256.Parse(spend), 0, includeMempool: true);
        Assert.NotNull(mempoolOutput);
        Assert.Equal(0, mempoolOutput.Confirmations);
        Assert.Null(mempoolOutput.Height);
        Assert.Equal(coin.Amount - 10_000, mempoolOutput.Amount);
        Assert.Null(await f.RestBackend.GetUtxoAsync(Hash256.Parse(spend), 0, includeMempool: false));

        // Confirmed: the spent coin is gone for good, the new one has a height.
        var block = (await f.Rest.MineAsync(1))[0];
        Assert.Null(await f.RestBackend.GetUtxoAsync(Hash256.Parse(coin.Txid), coin.Vout, includeMempool: false));
        var confirmed = await f.RestBackend.GetUtxoAsync(Hash256.Parse(spend), 0);
        Assert.NotNull(confirmed);
        Assert.Equal(1, confirmed.Confirmations);
        Assert.Equal((int)(await f.Rest.Rpc.CallAsync("getblockheader", block)).GetProperty("height").GetInt32(), confirmed.Height);
    }

    [Fact]
    public async Task Verify_utxo_checks_existence_script_height_and_confirmation()
    {
        var listed = await f.SpendableCoinAsync();
        var coin = ToCoin(listed);
        var txid = Hash256.Parse(coin.Txid);
        var script = Convert.FromHexString(coin.Script);
        var height = await f.Rest.GetBlockCountAsync() - listed.GetProperty("confirmations").GetInt32() + 1;

        Assert.Equal(UtxoVerificationStatus.Verified, (await f.RestBackend.VerifyUtxoAsync(txid, coin.Vout, script, height)).Status);
        Assert.True((await f.RestBackend.VerifyUtxoAsync(txid, coin.Vout, script)).IsVerified);
        Assert.Equal(UtxoVerificationStatus.HeightMismatch, (await f.RestBackend.VerifyUtxoAsync(txid, coin.Vout, script, height - 1)).Status);
        byte[] otherScript = [.. script[..^1], (byte)(script[^1] ^ 1)];
        Assert.Equal(UtxoVerificationStatus.ScriptMismatch, (await f.RestBackend.VerifyUtxoAsync(txid, coin.Vout, otherScript, height)).Status);
        Assert.Equal(UtxoVerificationStatus.NotFound, (await f.RestBackend.VerifyUtxoAsync(txid, coin.Vout + 1000, script)).Status);

        var spend = await SpendAsync(coin, await f.Rest.NewAddressAsync(AddressKind.Legacy), coin.Amount - 20_000);
        Assert.Equal(UtxoVerificationStatus.NotFound, (await f.RestBackend.VerifyUtxoAsync(txid, coin.Vout, script)).Status);
        var newOutput = await f.RestBackend.GetUtxoAsync(Hash256.Parse(spend), 0);
        Assert.Equal(UtxoVerificationStatus.Unconfirmed, (await f.RestBackend.VerifyUtxoAsync(Hash256.Parse(spend), 0, newOutput!.ScriptPubKey)).Status);
        await f.Rest.MineAsync(1);
    }

    [Fact]
    public async Task Concurrent_scans_wait_for_each_other_and_both_succeed()
    {
        await f.Rest.MineAsync(1); // listunspent below must not miss mempool-spent coins
        var slow = f.RestBackend.ScanAsync([ScanObject.Ranged($"combo({TestKey}/0/*)", 0, 60_000)]);
        await Eventually.TrueAsync(
            async () => (await f.Rest.Rpc.CallAsync("scantxoutset", "status")).ValueKind == JsonValueKind.Object,
            "the first scan is running");
        var logsBefore = f.Logs.Entries.Count;

        var address = f.FundedAddresses[AddressKind.Bech32];
        var second = await f.RestBackend.ScanAsync([new ScanObject($"addr({address})")]);
        var first = await slow;

        Assert.Empty(first.Unspents); // nothing pays the test key on this chain
        Assert.Contains(f.Logs.Entries.Skip(logsBefore), l => l.EventId.Id == 7); // "another scan is running; waiting"
        var listed = await f.Rest.Rpc.CallAsync("listunspent", 1, 9_999_999, new[] { address });
        Assert.Equal(
            listed.EnumerateArray().Select(ToCoin).OrderBy(c => c.Txid).ThenBy(c => c.Vout),
            second.Unspents.Select(u => new Coin(u.Txid.ToString(), u.Vout, u.Amount, Convert.ToHexStringLower(u.ScriptPubKey))).OrderBy(c => c.Txid).ThenBy(c => c.Vout));
        Assert.Equal(second.Unspents.Sum(u => u.Amount), second.TotalAmount);
        Assert.All(second.Unspents, u => Assert.StartsWith("addr(", u.Descriptor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_a_scan_returns_at_once_and_asks_the_node_to_abort()
    {
        using var cancel = new CancellationTokenSource();
        var logsBefore = f.Logs.Entries.Count;
        var scan = f.RestBackend.ScanAsync([ScanObject.Ranged($"combo({TestKey}/1/*)", 0, 40_000)], cancel.Token);
        await Eventually.TrueAsync(
            async () => (await f.Rest.Rpc.CallAsync("scantxoutset", "status")).ValueKind == JsonValueKind.Object,
            "the scan is running");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scan);
        // The abort went out while the node was still busy with our scan. (Litecoin Core 0.21 only honours
        // it once it walks the UTXO set, after deriving the keys; on a tiny regtest set that walk is instant.)
        Assert.Contains(f.Logs.Entries.Skip(logsBefore), l => l.EventId.Id == 8);
        await Eventually.TrueAsync(
            async () => (await f.Rest.Rpc.CallAsync("scantxoutset", "status")).ValueKind == JsonValueKind.Null,
            "the node has no scan running");
    }

    [Fact]
    public async Task Utxo_set_totals_match_the_node_and_its_peer()
    {
        await LitecoindNode.SyncAsync(f.Rest, f.Plain);
        var info = await f.RestBackend.GetUtxoSetInfoAsync();
        var peer = await f.PlainBackend.GetUtxoSetInfoAsync();
        var node = await f.Rest.Rpc.CallAsync("gettxoutsetinfo");

        Assert.Equal(node.GetProperty("height").GetInt32(), info.Height);
        Assert.Equal(node.GetProperty("bestblock").GetString(), info.BestBlock.ToString());
        Assert.Equal(node.GetProperty("txouts").GetInt64(), info.TxOuts);
        Assert.Equal(RegtestChainFixture.Sats(node.GetProperty("total_amount")), info.TotalAmount);
        Assert.Equal(info, peer);
    }

    private static Coin ToCoin(JsonElement unspent) => new(
        unspent.GetProperty("txid").GetString()!,
        unspent.GetProperty("vout").GetInt32(),
        RegtestChainFixture.Sats(unspent.GetProperty("amount")),
        unspent.GetProperty("scriptPubKey").GetString()!);

    /// <summary>Spends one wallet coin to one address via the node's own RPCs; returns the txid.</summary>
    private async Task<string> SpendAsync(Coin coin, string address, long amount)
    {
        var raw = await f.Rest.Rpc.CallStringAsync(
            "createrawtransaction",
            new[] { new Dictionary<string, object> { ["txid"] = coin.Txid, ["vout"] = coin.Vout } },
            new Dictionary<string, decimal> { [address] = amount / 100_000_000m });
        var signed = await f.Rest.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        return await f.Rest.Rpc.CallStringAsync("sendrawtransaction", signed.GetProperty("hex").GetString());
    }
}
