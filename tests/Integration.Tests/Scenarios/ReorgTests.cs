using Coinshard.Integration.Tests.Support;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Integration.Tests.Scenarios;

/// <summary>
/// Real reorgs under the real process, on SQLite and PostgreSQL at once: two litecoind nodes are split, each
/// mines its own branch with its own transactions (including two spends of the same coin, one per branch),
/// and when they reconnect the longer branch replaces ours, 1, 3 and 10 blocks deep. Then
/// <c>invalidateblock</c> and <c>reconsiderblock</c> on the followed node. After each step both indexes equal
/// the node.
/// </summary>
public sealed class ReorgTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Competing_branches_of_two_nodes_and_invalidateblock_reorg_every_index_to_the_node()
    {
        var started = DateTime.UtcNow;
        await using var a = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "reorg-a" });
        await using var b = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "reorg-b", Wallet = false });
        await a.ConnectToAsync(b);
        await a.MineAsync(130);
        var activity = new WalletActivity(a, seed: 5);
        await activity.CreateTargetsAsync(perKind: 8, bare: 2);
        await activity.SendRandomAsync(30, workers: 3);
        await a.MineAsync(1);
        await LitecoindNode.SyncAsync(a, b);
        await using var indexers = await Indexers.StartAsync("reorg", a);
        await indexers.MatchNodeAsync(a, activity.Targets);

        foreach (var depth in new[] { 1, 3, 10 })
        {
            await a.DisconnectFromAsync(b);
            // Sign B's transactions first: the wallet can only sign coins still unspent on A.
            var coins = await activity.ConfirmedCoinsAsync();
            var contested = coins[0];
            var forB = new List<string> { await SignSpendAsync(a, contested, activity.Targets[1]) };
            for (var i = 0; i <= depth; i++)
            {
                forB.Add(await SignSpendAsync(a, coins[1 + i], activity.Targets[(2 + i) % activity.Targets.Count]));
            }
            var onA = await a.Rpc.CallStringAsync("sendrawtransaction", await SignSpendAsync(a, contested, activity.Targets[0]));
            var onB = await b.Rpc.CallStringAsync("sendrawtransaction", forB[0]); // the same coin, on the other branch
            for (var i = 0; i < depth; i++)
            {
                await activity.SendRandomAsync(4);
                await a.MineAsync(1);
            }
            var miner = await a.NewAddressAsync(AddressKind.Bech32);
            for (var i = 0; i <= depth; i++)
            {
                await b.Rpc.CallStringAsync("sendrawtransaction", forB[1 + i]);
                await b.MineAsync(1, miner);
            }
            await indexers.MatchNodeAsync(a, activity.Targets); // on A's branch, before the reorg

            await a.ConnectToAsync(b);
            await LitecoindNode.SyncAsync(a, b);
            Assert.True((await a.Rpc.CallAsync("getrawtransaction", onB, true)).GetProperty("confirmations").GetInt32() > 0, "B's spend won");
            await Eventually.TrueAsync(
                async () => (await a.Rpc.CallAsync("gettransaction", onA)).GetProperty("confirmations").GetInt32() < 0,
                "A's spend of the same coin is conflicted");
            await indexers.MatchNodeAsync(a, activity.Targets);
            foreach (var process in indexers.Processes)
            {
                Assert.Contains($"disconnecting {depth} block(s)", process.Output(), StringComparison.Ordinal);
            }
            await a.MineAsync(1); // A's surviving wallet transactions
            await LitecoindNode.SyncAsync(a, b);
            await indexers.MatchNodeAsync(a, activity.Targets);
            output.WriteLine($"reorg of depth {depth} checked after {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        }

        // invalidateblock three blocks down: the node falls back (to the best other branch it knows, maybe the one
        // the last reorg left), one block is mined there, then reconsiderblock brings the longer old branch back.
        await a.DisconnectFromAsync(b);
        var height = await a.GetBlockCountAsync();
        var oldTip = await a.GetBestBlockHashAsync();
        var invalidated = await a.Rpc.CallStringAsync("getblockhash", height - 2);
        await a.InvalidateBlockAsync(invalidated);
        Assert.True(await a.GetBlockCountAsync() < height);
        await indexers.MatchNodeAsync(a, activity.Targets);
        await activity.SendRandomAsync(5);
        await a.MineAsync(1);
        Assert.True(await a.GetBlockCountAsync() < height);
        await indexers.MatchNodeAsync(a, activity.Targets);
        await a.ReconsiderBlockAsync(invalidated);
        await Eventually.TrueAsync(async () => await a.GetBestBlockHashAsync() == oldTip, "the reconsidered branch is the best again");
        await indexers.MatchNodeAsync(a, activity.Targets);
        output.WriteLine($"invalidateblock/reconsiderblock checked; {activity.Sent} transactions, {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
    }

    /// <summary>A signed spend of <paramref name="coin"/> of the wallet to <paramref name="target"/> (minus a fee); the coin is locked against the wallet's own sends.</summary>
    private static async Task<string> SignSpendAsync(LitecoindNode wallet, (string TxId, int Vout, long Value, string Script) coin, Target target)
    {
        var value = (coin.Value - 20_000) / (decimal)LitecoindNode.SatoshisPerCoin;
        var destination = target.Address ?? await wallet.NewAddressAsync(AddressKind.Bech32);
        var raw = await wallet.Rpc.CallStringAsync(
            "createrawtransaction",
            new object[] { new Dictionary<string, object> { ["txid"] = coin.TxId, ["vout"] = coin.Vout } },
            new Dictionary<string, decimal> { [destination] = value });
        var signed = await wallet.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        Assert.True(signed.GetProperty("complete").GetBoolean(), $"signed {raw}: {signed}");
        try
        {
            // The wallet does not know about a copy sent to the other node only.
            await wallet.Rpc.CallAsync("lockunspent", false, new object[] { new Dictionary<string, object> { ["txid"] = coin.TxId, ["vout"] = coin.Vout } });
        }
        catch (NodeRpcException)
        {
            // Already locked (the contested coin is signed twice).
        }
        return signed.GetProperty("hex").GetString()!;
    }
}
