using Coinshard.Integration.Tests.Support;
using Coinshard.TestSupport.Litecoind;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Integration.Tests.Scenarios;

/// <summary>
/// Random wallet traffic on a real litecoind, followed live by <c>coinshard run</c> on SQLite and PostgreSQL at
/// once: every address type, bare scripts, single and batched sends, a block of hundreds of transactions,
/// chains of transactions spent within their block, and MWEB peg-ins past activation. After each block batch
/// both indexes equal the node; at the end a fresh process catching up from genesis does too.
/// </summary>
public sealed class RandomScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Random_traffic_across_MWEB_activation_matches_the_node_on_every_engine()
    {
        var started = DateTime.UtcNow;
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "random" });
        await node.MineAsync(150); // 50 mature coinbases: enough independent coins for long unconfirmed chains
        await using var indexers = await Indexers.StartAsync("random", node);
        var activity = new WalletActivity(node, seed: 3);
        await activity.CreateTargetsAsync(perKind: 12, bare: 3);

        // Small blocks first, then one block with hundreds of transactions (chains of spends inside it).
        foreach (var transactions in new[] { 15, 40, 250 })
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await activity.SendRandomAsync(transactions, workers: 4);
            output.WriteLine($"sent {transactions} in {sw.Elapsed.TotalSeconds:0.0} s");
            var mempool = await activity.MempoolSizeAsync();
            await node.MineAsync(1);
            var block = await node.Rpc.CallAsync("getblock", await node.GetBestBlockHashAsync(), 1);
            Assert.Equal(mempool + 1, block.GetProperty("tx").GetArrayLength()); // everything was mined together
            sw.Restart();
            await indexers.MatchNodeAsync(node, activity.Targets);
            output.WriteLine($"matched in {sw.Elapsed.TotalSeconds:0.0} s");
        }
        output.WriteLine($"pre-MWEB traffic checked after {(DateTime.UtcNow - started).TotalSeconds:0.0} s, {activity.Sent} transactions");

        // Across MWEB activation (the activation block needs a peg-in), then peg-ins mixed with ordinary traffic.
        await node.MinePastMwebActivationAsync(extraBlocks: 1);
        await indexers.MatchNodeAsync(node, activity.Targets);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 4; i++)
            {
                await node.SendAsync(await node.NewAddressAsync(AddressKind.Mweb), 20_000_000 + (i * 1_234_567));
            }
            await activity.SendRandomAsync(40, workers: 4);
            await node.MineAsync(1);
            var block = await node.Rpc.CallAsync("getblock", await node.GetBestBlockHashAsync(), 2);
            Assert.True(block.TryGetProperty("mweb", out _), "the block carries an MWEB extension block");
            await indexers.MatchNodeAsync(node, activity.Targets);
        }
        await node.MineAsync(2);
        await indexers.MatchNodeAsync(node, activity.Targets);

        // The same chain caught up from genesis by a fresh process (catch-up path rather than follow).
        await using var late = await Indexers.StartAsync("random-late", node, [Engine.Sqlite]);
        await late.MatchNodeAsync(node, activity.Targets);
        output.WriteLine($"{activity.Sent} transactions to {activity.Targets.Count} scripts, height {await node.GetBlockCountAsync()}, {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
    }
}
