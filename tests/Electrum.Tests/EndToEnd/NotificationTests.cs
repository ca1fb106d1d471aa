using System.Text.Json;

using Coinshard.Storage;
using Coinshard.TestSupport.Electrum;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>
/// Broadcasts and subscriptions against the live gateways. Blocks are mined with <c>generateblock</c> holding only
/// the test's own transactions, so the scenario's mempool stays for the other tests.
/// </summary>
[Collection(LiveGatewayTests.Name)]
public sealed class NotificationTests(LiveGatewayFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_broadcast_transaction_reaches_the_mempool_and_notifies_subscribers_on_both_gateways()
    {
        await fixture.WaitForSyncAsync();
        var address = await fixture.NewAddressAsync(new Random(fixture.Seed));
        var scripthash = NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, address));
        await using var utxo = await fixture.Utxo.ConnectNegotiatedAsync();
        await using var full = await fixture.Full.ConnectNegotiatedAsync("1.6");
        foreach (var client in new[] { utxo, full })
        {
            Assert.Equal(JsonValueKind.Null, (await client.CallAsync("blockchain.scripthash.subscribe", scripthash)).ValueKind);
        }

        var (hex, txid) = await fixture.PaymentFromConfirmedCoinAsync(address, LiveGatewayFixture.Coin / 2);
        Assert.Equal(txid, (await utxo.CallAsync("blockchain.transaction.broadcast", hex)).GetString());
        Assert.Contains(txid, (await fixture.Node.Rpc.CallAsync("getrawmempool")).EnumerateArray().Select(t => t.GetString()));

        await fixture.WaitForSyncAsync();
        var expected = (await NodeView.ReadAsync(fixture)).ByScripthash[scripthash];
        Assert.Equal([new ExpectedHistory(txid, 0, expected.Mempool[0].Fee)], expected.Mempool);
        await NextStatusAsync(utxo, scripthash, expected.Status(IndexMode.Utxo));
        await NextStatusAsync(full, scripthash, expected.Status(IndexMode.Full));
        DifferentialTests.AssertHistory(expected.Mempool, await full.CallAsync("blockchain.scripthash.get_mempool", scripthash), "after the broadcast");
    }

    [Fact]
    public async Task Invalid_broadcasts_get_clear_errors_and_the_session_goes_on()
    {
        await fixture.WaitForSyncAsync();
        await using var client = await fixture.Full.ConnectNegotiatedAsync();

        var notHex = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.broadcast", "zz"));
        Assert.Equal(1, notHex.Code);
        Assert.Contains("hex", notHex.ServerMessage, StringComparison.Ordinal);

        // Well-formed, but rejected by the node: garbage bytes, a spend of an output that does not exist, a double spend.
        var garbage = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.broadcast", "0100000000"));
        Assert.Equal(2, garbage.Code);
        Assert.Contains("decode", garbage.ServerMessage, StringComparison.OrdinalIgnoreCase);

        var address = await fixture.Node.NewAddressAsync();
        var missing = await fixture.Node.Rpc.CallStringAsync(
            "createrawtransaction",
            new[] { new Dictionary<string, object> { ["txid"] = new string('1', 64), ["vout"] = 0 } },
            new Dictionary<string, object> { [address] = 1m });
        var missingError = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.broadcast", missing));
        Assert.Equal(2, missingError.Code);
        Assert.Contains("missing or already spent", missingError.ServerMessage, StringComparison.Ordinal);

        var (first, firstTxid) = await fixture.PaymentFromConfirmedCoinAsync(address, LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", first);
        var input = (await fixture.Node.Rpc.CallAsync("decoderawtransaction", first)).GetProperty("vin")[0];
        var conflicting = await fixture.SignRawAsync(
            [(input.GetProperty("txid").GetString()!, input.GetProperty("vout").GetInt32())],
            new Dictionary<string, long> { [await fixture.Node.NewAddressAsync()] = LiveGatewayFixture.Coin / 10 });
        var conflict = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.broadcast", conflicting));
        Assert.Equal(2, conflict.Code);
        Assert.Contains("conflict", conflict.ServerMessage, StringComparison.Ordinal);
        Assert.Contains(firstTxid, (await fixture.Node.Rpc.CallAsync("getrawmempool")).EnumerateArray().Select(t => t.GetString()));

        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping")).ValueKind);
    }

    [Fact]
    public async Task Header_subscribers_are_notified_of_a_new_block()
    {
        await fixture.WaitForSyncAsync();
        await using var utxo = await fixture.Utxo.ConnectNegotiatedAsync();
        await using var full = await fixture.Full.ConnectNegotiatedAsync("1.6");
        var height = await fixture.Node.GetBlockCountAsync();
        foreach (var client in new[] { utxo, full })
        {
            Assert.Equal(height, (await client.CallAsync("blockchain.headers.subscribe")).GetProperty("height").GetInt32());
        }

        var hash = await fixture.MineOnlyAsync();
        var header = await fixture.Node.Rpc.CallStringAsync("getblockheader", hash, false);
        foreach (var client in new[] { utxo, full })
        {
            var notification = await client.NextNotificationAsync("blockchain.headers.subscribe", Wait);
            Assert.Equal(height + 1, notification.Params[0].GetProperty("height").GetInt32());
            Assert.Equal(header, notification.Params[0].GetProperty("hex").GetString());
        }
    }

    [Fact]
    public async Task Scripthash_subscribers_are_notified_of_a_mempool_payment_and_of_its_confirmation()
    {
        await fixture.WaitForSyncAsync();
        var address = await fixture.NewAddressAsync(new Random(fixture.Seed + 1));
        var scripthash = NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, address));
        await using var utxo = await fixture.Utxo.ConnectNegotiatedAsync();
        await using var full = await fixture.Full.ConnectNegotiatedAsync();
        await utxo.CallAsync("blockchain.scripthash.subscribe", scripthash);
        await full.CallAsync("blockchain.scripthash.subscribe", scripthash);

        var (hex, txid) = await fixture.PaymentFromConfirmedCoinAsync(address, 2 * LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", hex);
        await fixture.WaitForSyncAsync();
        var inMempool = (await NodeView.ReadAsync(fixture)).ByScripthash[scripthash];
        Assert.Equal(0, inMempool.Mempool.Single().Height);
        await NextStatusAsync(utxo, scripthash, inMempool.Status(IndexMode.Utxo));
        await NextStatusAsync(full, scripthash, inMempool.Status(IndexMode.Full));

        await fixture.MineOnlyAsync(txid);
        await fixture.WaitForSyncAsync();
        var mined = (await NodeView.ReadAsync(fixture)).ByScripthash[scripthash];
        Assert.Equal(await fixture.Node.GetBlockCountAsync(), mined.FullHistory.Single().Height);
        Assert.NotEqual(inMempool.Status(IndexMode.Full), mined.Status(IndexMode.Full));
        await NextStatusAsync(utxo, scripthash, mined.Status(IndexMode.Utxo));
        await NextStatusAsync(full, scripthash, mined.Status(IndexMode.Full));
        Assert.Equal(2 * LiveGatewayFixture.Coin, (await full.CallAsync("blockchain.scripthash.get_balance", scripthash)).GetProperty("confirmed").GetInt64());
    }

    [Fact]
    public async Task A_wallet_reacting_to_a_header_notification_sees_the_mined_payment_confirmed_once()
    {
        await fixture.WaitForSyncAsync();
        var address = await fixture.NewAddressAsync(new Random(fixture.Seed + 2));
        var scripthash = NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, address));
        var (hex, txid) = await fixture.PaymentFromConfirmedCoinAsync(address, LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", hex);
        await fixture.WaitForSyncAsync();
        var clients = new[] { await fixture.Utxo.ConnectNegotiatedAsync(), await fixture.Full.ConnectNegotiatedAsync() };
        try
        {
            foreach (var client in clients)
            {
                await client.CallAsync("blockchain.headers.subscribe");
                Assert.Equal(LiveGatewayFixture.Coin, (await client.CallAsync("blockchain.scripthash.get_balance", scripthash)).GetProperty("unconfirmed").GetInt64());
            }
            await fixture.MineOnlyAsync(txid);
            var height = await fixture.Node.GetBlockCountAsync();
            foreach (var client in clients)
            {
                await client.NextNotificationAsync("blockchain.headers.subscribe", Wait);
                // What a wallet asks as soon as it hears of the block: the payment confirmed, and only once.
                var answers = await client.BatchAsync(
                    ("blockchain.scripthash.get_balance", [scripthash]),
                    ("blockchain.scripthash.get_history", [scripthash]),
                    ("blockchain.scripthash.listunspent", [scripthash]));
                Assert.Equal(LiveGatewayFixture.Coin, answers[0].GetProperty("confirmed").GetInt64());
                Assert.Equal(0, answers[0].GetProperty("unconfirmed").GetInt64());
                DifferentialTests.AssertHistory([new ExpectedHistory(txid, height, null)], answers[1], "history right after the header notification");
                Assert.Equal(1, answers[2].GetArrayLength());
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Waits for a status notification of <paramref name="scripthash"/> carrying <paramref name="status"/> (skipping intermediate ones).</summary>
    internal static async Task NextStatusAsync(ElectrumTestClient client, string scripthash, string? status)
    {
        var seen = new List<string?>();
        try
        {
            while (true)
            {
                var notification = await client.NextNotificationAsync("blockchain.scripthash.subscribe", Wait);
                if (notification.Params[0].GetString() != scripthash)
                {
                    continue;
                }
                var got = notification.Params[1].ValueKind == JsonValueKind.Null ? null : notification.Params[1].GetString();
                if (got == status)
                {
                    return;
                }
                seen.Add(got);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no notification of {scripthash} with status {status} within {Wait.TotalSeconds} s; saw [{string.Join(", ", seen)}]");
        }
    }
}
