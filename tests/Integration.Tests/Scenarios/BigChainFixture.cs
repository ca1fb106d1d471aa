using Coinshard.Integration.Tests.Support;
using Coinshard.TestSupport.Chains;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Integration.Tests.Scenarios;

/// <summary>
/// A litecoind (no wallet) holding a chain of about 15,000 transactions (≈170,000 inputs+outputs) built with
/// <see cref="RegtestChainBuilder"/>: long enough that a catch-up takes several write batches, so a kill lands
/// in the middle of one. <see cref="Targets"/> are the output scripts of a sample of its blocks.
/// </summary>
public sealed class BigChainFixture : IAsyncLifetime
{
    public LitecoindNode Node { get; private set; } = null!;

    public RegtestChain Chain { get; private set; } = null!;

    /// <summary>Scripts paid in a sample of blocks (payments, change, hot wallets that spend again), as raw targets.</summary>
    public List<Target> Targets { get; } = [];

    public async Task InitializeAsync()
    {
        Node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "big-chain", Wallet = false });
        Chain = await new RegtestChainBuilder(new RegtestChainOptions
        {
            Seed = 11,
            Transactions = 15_000,
            TransactionsPerBlock = 300,
            FanOutCoins = 8_000,
        }).BuildAsync(Node);
        // Make the node write its chain state: a test restarts it mid-sync.
        await Node.FlushAsync();
        var heights = new[] { 1, 101, Chain.Height / 2, Chain.Height - 10, Chain.Height };
        foreach (var height in heights)
        {
            var block = await Node.Rpc.CallAsync("getblock", await Node.Rpc.CallStringAsync("getblockhash", height), 2);
            var scripts = block.GetProperty("tx").EnumerateArray()
                .SelectMany(t => t.GetProperty("vout").EnumerateArray())
                .Select(o => o.GetProperty("scriptPubKey"))
                .Where(s => s.GetProperty("type").GetString() != "nulldata")
                .Select(s => s.GetProperty("hex").GetString()!)
                .Distinct(StringComparer.Ordinal)
                .Take(40);
            Targets.AddRange(scripts.Where(s => Targets.All(t => t.ScriptHex != s)).Select(s => new Target($"block-{height}", s, null)));
        }
    }

    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}
