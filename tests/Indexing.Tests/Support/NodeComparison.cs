using System.Security.Cryptography;

using Coinshard.Backends;
using Coinshard.Chain.Hashing;
using Coinshard.Storage;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Indexing.Tests.Support;

/// <summary>
/// The reference check of DESIGN §4: the index equals the node's view. Totals against
/// <c>gettxoutsetinfo none</c>, the tip against <c>getbestblockhash</c>, and each address's coins against
/// <c>scantxoutset</c>. The scripthash is computed here with the framework's SHA-256.
/// </summary>
internal static class NodeComparison
{
    /// <summary>Waits until the index's tip is the node's tip.</summary>
    public static async Task WaitForTipAsync(ICurrencyIndex index, LitecoindNode node, TimeSpan? timeout = null)
    {
        var best = Hash256.Parse(await node.GetBestBlockHashAsync());
        await Eventually.TrueAsync(
            () => index.Status.IndexTip?.Hash == best,
            $"the index reaches the node's tip {best} (status: {Describe(index.Status)})",
            timeout);
    }

    /// <summary>Waits for the node's tip, then compares totals, tip and per-address coins.</summary>
    public static async Task AssertMatchesNodeAsync(ICurrencyIndex index, LitecoindNode node, IReadOnlyCollection<string> addresses)
    {
        await WaitForTipAsync(index, node);
        var info = await node.Rpc.CallAsync("gettxoutsetinfo", "none");
        var stats = await index.Store.GetCoinStatsAsync();
        Assert.Equal(info.GetProperty("txouts").GetInt64(), stats.Count);
        Assert.Equal(CoinAmount.ParseSatoshis(info.GetProperty("total_amount").GetRawText()), stats.TotalValue);
        Assert.Equal(Hash256.Parse(info.GetProperty("bestblock").GetString()), (await index.Store.GetTipAsync())!.Hash);
        Assert.Equal(info.GetProperty("height").GetInt32(), (await index.Store.GetTipAsync())!.Height);
        await AssertAddressesMatchAsync(index.Store, node, addresses);
    }

    /// <summary>Each address's unspent outputs in the store equal <c>scantxoutset</c>'s.</summary>
    public static async Task AssertAddressesMatchAsync(ChainStore store, LitecoindNode node, IReadOnlyCollection<string> addresses)
    {
        var expected = await NodeUtxos.ScanAsync(node, addresses);
        foreach (var address in addresses)
        {
            var script = await NodeUtxos.ScriptOfAsync(node, address);
            var scripthash = new Hash256(SHA256.HashData(Convert.FromHexString(script)));
            var coins = await store.GetCoinsByScripthashAsync(scripthash, 10_000);
            var ours = NodeUtxos.Sorted(coins.Select(c => new NodeUtxo(c.OutPoint.TxId.ToString(), c.OutPoint.Index, c.Value, c.Height)));
            Assert.Equal(expected[address], ours);
            Assert.Equal(ours.Sum(c => c.Value), await store.GetBalanceAsync(scripthash));
        }
    }

    public static string Describe(FollowerStatus status) =>
        $"{status.State}, index tip {status.IndexTip?.Height}, node tip {status.NodeTip?.Height}, lease {status.HoldsLease}, error {status.LastError ?? "none"}";
}
