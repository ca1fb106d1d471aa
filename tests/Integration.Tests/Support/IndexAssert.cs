using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Integration.Tests.Support;

/// <summary>
/// The reference check of the integration suite, through the process's admin API: our tip equals
/// <c>getbestblockhash</c>, our UTXO count and total equal <c>gettxoutsetinfo none</c>, and for every target
/// script our UTXOs (and their total) equal <c>scantxoutset</c>'s. The node is the only source of expectations.
/// </summary>
public static class IndexAssert
{
    /// <summary>Upper bound for a process to reach the node's tip after a change (generous, never an expectation).</summary>
    public static readonly TimeSpan TipTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Waits until the process's index tip is the node's best block.</summary>
    public static async Task WaitForTipAsync(CoinshardProcess coinshard, LitecoindNode node, TimeSpan? timeout = null)
    {
        var best = await node.GetBestBlockHashAsync();
        var last = "";
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    if (!coinshard.IsRunning)
                    {
                        throw new InvalidOperationException($"{coinshard} exited with code {coinshard.ExitCode}");
                    }
                    var status = await coinshard.StatusAsync();
                    last = $"{status.State}, index tip {status.IndexTip?.Height} {status.IndexTip?.Hash}, error {status.LastError ?? "none"}";
                    return status.IndexTip?.Hash == best;
                },
                $"{coinshard.Name} reaches the node's tip {best}",
                timeout ?? TipTimeout,
                TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last status: {last}\n--- coinshard output (tail) ---\n{Tail(coinshard.Output(), 60)}", e);
        }
    }

    /// <summary>Waits for the node's tip, then compares tip, totals and every target's coins.</summary>
    public static async Task MatchesNodeAsync(CoinshardProcess coinshard, LitecoindNode node, IReadOnlyCollection<Target> targets)
    {
        ArgumentNullException.ThrowIfNull(coinshard);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(targets);
        await WaitForTipAsync(coinshard, node);
        var info = await node.Rpc.CallAsync("gettxoutsetinfo", "none");
        var stats = await coinshard.StatsAsync();
        var what = $"{coinshard.Name} at height {stats.Tip?.Height}";
        Assert.True(info.GetProperty("bestblock").GetString() == stats.Tip?.Hash, $"{what}: tip {stats.Tip?.Hash}, node {info.GetProperty("bestblock").GetString()}");
        Assert.Equal(info.GetProperty("height").GetInt32(), stats.Tip!.Height);
        Assert.True(info.GetProperty("txouts").GetInt64() == stats.Coins, $"{what}: {stats.Coins} coins, node {info.GetProperty("txouts").GetInt64()}");
        Assert.True(NodeUtxos.Satoshis(info.GetProperty("total_amount")) == stats.Total, $"{what}: total {stats.Total}, node {NodeUtxos.Satoshis(info.GetProperty("total_amount"))}");

        var expected = await ScanAsync(node, targets);
        foreach (var target in targets)
        {
            var ours = await coinshard.UtxosAsync(target.Query);
            Assert.False(ours.Truncated, $"{what}: {target} has more coins than one request returns");
            var mine = NodeUtxos.Sorted(ours.Utxos.Select(u => new NodeUtxo(u.Txid, u.Vout, u.Value, u.Height)));
            var theirs = expected[target.ScriptHex];
            if (!theirs.SequenceEqual(mine))
            {
                Assert.Fail($"{what}: {target}: ours [{string.Join(", ", mine)}], node [{string.Join(", ", theirs)}]");
            }
            Assert.True(theirs.Sum(u => u.Value) == ours.Total, $"{what}: {target}: total {ours.Total}, node {theirs.Sum(u => u.Value)}");
        }
    }

    /// <summary><c>scantxoutset</c> over every target: unspent outputs by script (hex), sorted by outpoint; scripts without coins map to an empty list.</summary>
    public static async Task<Dictionary<string, List<NodeUtxo>>> ScanAsync(LitecoindNode node, IReadOnlyCollection<Target> targets)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(targets);
        var result = targets.Select(t => t.ScriptHex).Distinct(StringComparer.Ordinal).ToDictionary(s => s, _ => new List<NodeUtxo>(), StringComparer.Ordinal);
        foreach (var chunk in targets.Select(t => t.Descriptor).Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var scan = await ScanOnceAsync(node, chunk);
            foreach (var u in scan.GetProperty("unspents").EnumerateArray())
            {
                var script = u.GetProperty("scriptPubKey").GetString()!;
                if (result.TryGetValue(script, out var list))
                {
                    list.Add(new NodeUtxo(u.GetProperty("txid").GetString()!, u.GetProperty("vout").GetUInt32(), NodeUtxos.Satoshis(u.GetProperty("amount")), u.GetProperty("height").GetInt32()));
                }
            }
        }
        return result.ToDictionary(p => p.Key, p => NodeUtxos.Sorted(p.Value), StringComparer.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> ScanOnceAsync(LitecoindNode node, string[] descriptors)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var scan = await node.Rpc.CallAsync("scantxoutset", "start", descriptors);
                return scan.GetProperty("success").GetBoolean() ? scan : throw new InvalidOperationException("scantxoutset did not succeed");
            }
            catch (NodeRpcException e) when (e.Code == -8 && attempt < 50)
            {
                // "Scan already in progress" (two scenarios on one node): wait for it.
                await Task.Delay(200);
            }
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of a log.</summary>
    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
