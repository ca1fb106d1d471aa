using System.Text.Json;

using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.Electrum.Gateway;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Tests.Support;
using Coinshard.Storage;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Electrum;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>
/// The mempool view is refreshed once per notifier poll, after the store has learnt of a block. These tests
/// stretch that moment: a second gateway over the same index whose mempool view is read once and never
/// refreshed, so every answer after a block comes from a store that is ahead of the mempool view.
/// </summary>
[Collection(LiveGatewayTests.Name)]
public sealed class LaggingMempoolTests(LiveGatewayFixture fixture)
{
    [Theory]
    [InlineData(IndexMode.Utxo)]
    [InlineData(IndexMode.Full)]
    public async Task A_mined_transaction_still_in_the_mempool_view_counts_once(IndexMode mode)
    {
        var live = mode == IndexMode.Full ? fixture.Full : fixture.Utxo;
        await fixture.WaitForSyncAsync();
        // A confirmed coin at A, then in the mempool: a payment to A and a spend of that coin away from A.
        var address = await fixture.Node.NewAddressAsync(AddressKind.P2shSegwit);
        var scripthash = NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, address));
        var (fundHex, fundTxid) = await fixture.PaymentFromConfirmedCoinAsync(address, 3 * LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", fundHex);
        await fixture.MineOnlyAsync(fundTxid);
        var (payHex, payTxid) = await fixture.PaymentFromConfirmedCoinAsync(address, LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", payHex);
        var (vout, value) = await fixture.OutputToAsync(fundTxid, address);
        var spendTxid = await fixture.SendRawAsync([(fundTxid, vout)], new Dictionary<string, long> { [await fixture.Node.NewAddressAsync()] = value - 20_000 });
        await fixture.WaitForSyncAsync();

        // A gateway over the same index whose notifier, and so its mempool view, does not poll again for an hour.
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions
        {
            Url = fixture.Node.RpcUrl,
            Credentials = RpcCredentials.FromUserPassword(fixture.Node.RpcUser, fixture.Node.RpcPassword),
        });
        var options = TestServer.DefaultOptions();
        options.Tls.Port = 0;
        options.WebSocket.Port = 0;
        options.SecureWebSocket.Port = 0;
        var gatewayOptions = new ElectrumGatewayOptions(Network.LitecoinRegtest, mode, options, new ElectrumServerInfo()) { NotifyInterval = TimeSpan.FromHours(1) };
        await using var lagging = await ElectrumGateway.StartAsync(gatewayOptions, live.Index.Store, backend, fixture.Logs);
        await using var client = await ElectrumTestClient.ConnectTcpAsync("127.0.0.1", options.Tcp.Port);
        await client.CallAsync("server.version", "coinshard-e2e", "1.4");
        var before = (await NodeView.ReadAsync(fixture)).ByScripthash[scripthash];
        Assert.Equal(2, before.Mempool.Count);
        await AssertAgreesAsync(client, before, mode, "before the block");

        await fixture.MineOnlyAsync(payTxid, spendTxid);
        await fixture.WaitForSyncAsync();
        Assert.Equal(2, lagging.Services.Mempool.Current.Get(ScripthashKeys.Of(Chain.Hashing.Hash256.Parse(scripthash)))!.Transactions.Count);
        var after = (await NodeView.ReadAsync(fixture)).ByScripthash[scripthash];
        Assert.Empty(after.Mempool);
        await AssertAgreesAsync(client, after, mode, "after the block, mempool view not yet refreshed");
    }

    [Fact]
    public async Task A_subscribed_scripthash_growing_past_the_history_limit_does_not_stop_the_others_notifications()
    {
        await fixture.WaitForSyncAsync();
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions
        {
            Url = fixture.Node.RpcUrl,
            Credentials = RpcCredentials.FromUserPassword(fixture.Node.RpcUser, fixture.Node.RpcPassword),
        });
        var options = TestServer.DefaultOptions();
        options.Tls.Port = 0;
        options.WebSocket.Port = 0;
        options.SecureWebSocket.Port = 0;
        var gatewayOptions = new ElectrumGatewayOptions(Network.LitecoinRegtest, IndexMode.Full, options, new ElectrumServerInfo { MaxHistory = 3 })
        {
            NotifyInterval = TimeSpan.FromMilliseconds(100),
        };
        await using var gateway = await ElectrumGateway.StartAsync(gatewayOptions, fixture.Full.Index.Store, backend, fixture.Logs);
        await using var client = await ElectrumTestClient.ConnectTcpAsync("127.0.0.1", options.Tcp.Port);
        await client.CallAsync("server.version", "coinshard-e2e", "1.4");

        // "big" sits at the limit (3 entries), the others are empty; then one transaction pays all of them.
        var big = await fixture.Node.NewAddressAsync();
        var bigScripthash = NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, big));
        for (var i = 0; i < 3; i++)
        {
            var (hex, _) = await fixture.PaymentFromConfirmedCoinAsync(big, LiveGatewayFixture.Coin / 10);
            await fixture.Node.Rpc.CallAsync("sendrawtransaction", hex);
        }
        var small = new List<(string Address, string Scripthash)>();
        for (var i = 0; i < 6; i++)
        {
            var address = await fixture.Node.NewAddressAsync();
            small.Add((address, NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, address))));
        }
        await Eventually.TrueAsync(
            async () => gateway.Services.Mempool.Current.Count == (await fixture.Node.Rpc.CallAsync("getrawmempool")).GetArrayLength(),
            "the gateway sees the payments");
        Assert.Equal(JsonValueKind.String, (await client.CallAsync("blockchain.scripthash.subscribe", bigScripthash)).ValueKind);
        foreach (var (_, scripthash) in small)
        {
            Assert.Equal(JsonValueKind.Null, (await client.CallAsync("blockchain.scripthash.subscribe", scripthash)).ValueKind);
        }

        var payments = small.Select(s => s.Address).Append(big).ToDictionary(a => a, _ => LiveGatewayFixture.Coin / 10);
        await fixture.Node.SendManyAsync(payments);
        var notified = new HashSet<string>();
        while (notified.Count < small.Count)
        {
            var notification = await client.NextNotificationAsync("blockchain.scripthash.subscribe", TimeSpan.FromSeconds(15));
            notified.Add(notification.Params[0].GetString()!);
        }
        Assert.Superset(small.Select(s => s.Scripthash).ToHashSet(), notified);
        var tooLarge = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.scripthash.get_history", bigScripthash));
        Assert.Equal(10001, tooLarge.Code);
    }

    private static async Task AssertAgreesAsync(ElectrumTestClient client, ScripthashExpectation expected, IndexMode mode, string when)
    {
        var sh = expected.Scripthash;
        var answers = await client.BatchAsync(
            ("blockchain.scripthash.get_balance", [sh]),
            ("blockchain.scripthash.listunspent", [sh]),
            ("blockchain.scripthash.get_history", [sh]),
            ("blockchain.scripthash.get_mempool", [sh]),
            ("blockchain.scripthash.subscribe", [sh]));
        Assert.True(expected.Confirmed == answers[0].GetProperty("confirmed").GetInt64(), $"{when}: confirmed {answers[0]}");
        Assert.True(expected.Unconfirmed == answers[0].GetProperty("unconfirmed").GetInt64(), $"{when}: unconfirmed {answers[0]}");
        DifferentialTests.AssertUnspent(expected.Unspent, answers[1], when);
        DifferentialTests.AssertHistory(expected.History(mode), answers[2], when + " get_history");
        DifferentialTests.AssertHistory(expected.Mempool, answers[3], when + " get_mempool");
        Assert.Equal(expected.Status(mode), answers[4].GetString());
        await client.CallAsync("blockchain.scripthash.unsubscribe", sh);
    }
}
