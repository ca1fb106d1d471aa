using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Coinshard.Storage;
using Coinshard.TestSupport.Litecoind;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>One expected history line: tx_hash, height, and the fee for mempool entries.</summary>
public sealed record ExpectedHistory(string TxHash, int Height, long? Fee);

/// <summary>One expected unspent output.</summary>
public sealed record ExpectedUnspent(string TxHash, int TxPos, long Value, int Height);

/// <summary>What the Electrum protocol should answer for one scripthash, derived from the node alone.</summary>
public sealed record ScripthashExpectation(
    string Scripthash,
    string ScriptHex,
    long Confirmed,
    long Unconfirmed,
    IReadOnlyList<ExpectedUnspent> Unspent,
    IReadOnlyList<ExpectedHistory> FullHistory,
    IReadOnlyList<ExpectedHistory> UtxoHistory,
    IReadOnlyList<ExpectedHistory> Mempool)
{
    public IReadOnlyList<ExpectedHistory> History(IndexMode mode) => mode == IndexMode.Full ? FullHistory : UtxoHistory;

    /// <summary>The spec's status: SHA-256 of the concatenated <c>tx_hash:height:</c>, lower-case hex; null with no history.</summary>
    public string? Status(IndexMode mode) => StatusOf(History(mode));

    public static string? StatusOf(IReadOnlyList<ExpectedHistory> history) =>
        history.Count == 0
            ? null
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Concat(history.Select(h => $"{h.TxHash}:{h.Height}:")))));
}

/// <summary>
/// The node's view of every output script of the chain and the mempool, computed independently of the code under
/// test: confirmed history from a walk of <c>getblock</c> (verbosity 2) contents, unspent outputs from
/// <c>scantxoutset</c>, the mempool from <c>getrawmempool</c> (verbose, for fees) and its transactions' inputs.
/// </summary>
public sealed class NodeView
{
    private NodeView(int tipHeight, string tipHash, Dictionary<string, ScripthashExpectation> byScripthash, Dictionary<string, (int Height, int Position)> positions, List<string> mempoolTxIds)
    {
        TipHeight = tipHeight;
        TipHash = tipHash;
        ByScripthash = byScripthash;
        Positions = positions;
        MempoolTxIds = mempoolTxIds;
    }

    public int TipHeight { get; }

    public string TipHash { get; }

    /// <summary>Every spendable output script seen in a block (after genesis) or in the mempool, by Electrum scripthash.</summary>
    public IReadOnlyDictionary<string, ScripthashExpectation> ByScripthash { get; }

    /// <summary>Block height and position of every confirmed transaction.</summary>
    public IReadOnlyDictionary<string, (int Height, int Position)> Positions { get; }

    public IReadOnlyList<string> MempoolTxIds { get; }

    public static string ScripthashOf(string scriptHex)
    {
        var digest = SHA256.HashData(Convert.FromHexString(scriptHex));
        Array.Reverse(digest);
        return Convert.ToHexStringLower(digest);
    }

    public static async Task<NodeView> ReadAsync(LiveGatewayFixture fixture)
    {
        var node = fixture.Node;
        var tipHash = await node.GetBestBlockHashAsync();
        var tipHeight = (int)(await node.Rpc.CallAsync("getblockheader", tipHash)).GetProperty("height").GetInt32();

        // Confirmed: every transaction touching each script, in (height, position) order.
        var outputs = new Dictionary<(string TxId, int Vout), (string Script, long Value)>();
        var confirmed = new Dictionary<string, List<(int Height, int Position, string TxId)>>();
        var positions = new Dictionary<string, (int, int)>();
        void Touch(string script, int height, int position, string txid)
        {
            if (!confirmed.TryGetValue(script, out var list))
            {
                confirmed[script] = list = [];
            }
            if (list.Count == 0 || list[^1].TxId != txid)
            {
                list.Add((height, position, txid));
            }
        }
        for (var height = 1; height <= tipHeight; height++)
        {
            var hash = await node.Rpc.CallStringAsync("getblockhash", height);
            if (!fixture.BlockCache.TryGetValue(hash, out var block))
            {
                fixture.BlockCache[hash] = block = await node.Rpc.CallAsync("getblock", hash, 2);
            }
            var position = 0;
            foreach (var tx in block.GetProperty("tx").EnumerateArray())
            {
                var txid = tx.GetProperty("txid").GetString()!;
                positions[txid] = (height, position);
                foreach (var input in tx.GetProperty("vin").EnumerateArray())
                {
                    if (input.TryGetProperty("txid", out var prevTx) && outputs.TryGetValue((prevTx.GetString()!, input.GetProperty("vout").GetInt32()), out var prev))
                    {
                        Touch(prev.Script, height, position, txid);
                    }
                }
                foreach (var output in tx.GetProperty("vout").EnumerateArray())
                {
                    var script = output.GetProperty("scriptPubKey").GetProperty("hex").GetString()!;
                    outputs[(txid, output.GetProperty("n").GetInt32())] = (script, NodeUtxos.Satoshis(output.GetProperty("value")));
                    if (!script.StartsWith("6a", StringComparison.Ordinal))
                    {
                        Touch(script, height, position, txid);
                    }
                }
                position++;
            }
        }

        // Mempool: each transaction's outputs and resolved inputs; height -1 when an input is unconfirmed.
        var verbose = await node.Rpc.CallAsync("getrawmempool", true);
        var mempoolIds = verbose.EnumerateObject().Select(p => p.Name).ToHashSet();
        var mempoolTxs = new List<(string TxId, long Fee, bool Unconfirmed, List<(string Script, int Vout, long Value)> Outs, List<(string TxId, int Vout)> Ins)>();
        foreach (var entry in verbose.EnumerateObject())
        {
            var tx = await node.Rpc.CallAsync("getrawtransaction", entry.Name, true);
            var outs = tx.GetProperty("vout").EnumerateArray()
                .Select(o => (o.GetProperty("scriptPubKey").GetProperty("hex").GetString()!, o.GetProperty("n").GetInt32(), NodeUtxos.Satoshis(o.GetProperty("value"))))
                .ToList();
            var ins = tx.GetProperty("vin").EnumerateArray().Select(i => (i.GetProperty("txid").GetString()!, i.GetProperty("vout").GetInt32())).ToList();
            foreach (var (script, vout, value) in outs)
            {
                outputs[(entry.Name, vout)] = (script, value);
            }
            mempoolTxs.Add((entry.Name, NodeUtxos.Satoshis(entry.Value.GetProperty("fees").GetProperty("base")), ins.Any(i => mempoolIds.Contains(i.Item1)), outs, ins));
        }
        foreach (var tx in mempoolTxs)
        {
            foreach (var input in tx.Ins)
            {
                if (!outputs.ContainsKey(input))
                {
                    // An input older than the walk cannot exist (the walk covers every block but genesis, whose coin is unspendable).
                    throw new InvalidOperationException($"mempool transaction {tx.TxId} spends {input.TxId}:{input.Vout}, which the chain walk did not see");
                }
            }
        }
        var spentInMempool = mempoolTxs.SelectMany(t => t.Ins).ToHashSet();

        var scripts = confirmed.Keys.Concat(mempoolTxs.SelectMany(t => t.Outs.Select(o => o.Script))).Where(s => !s.StartsWith("6a", StringComparison.Ordinal)).ToHashSet();
        var utxos = await ScanAsync(node, scripts);

        var result = new Dictionary<string, ScripthashExpectation>();
        foreach (var script in scripts)
        {
            var mempool = mempoolTxs
                .Where(t => t.Outs.Any(o => o.Script == script) || t.Ins.Any(i => outputs[i].Script == script))
                .Select(t => new ExpectedHistory(t.TxId, t.Unconfirmed ? -1 : 0, t.Fee))
                .OrderBy(h => h.Height == 0 ? 0 : 1).ThenBy(h => h.TxHash, StringComparer.Ordinal)
                .ToList();
            var full = (confirmed.GetValueOrDefault(script) ?? []).OrderBy(c => c.Height).ThenBy(c => c.Position)
                .Select(c => new ExpectedHistory(c.TxId, c.Height, null)).Concat(mempool).ToList();
            var coins = utxos.GetValueOrDefault(script) ?? [];
            var utxoHistory = coins.Select(c => c.TxId).Distinct().OrderBy(t => positions[t].Item1).ThenBy(t => positions[t].Item2)
                .Select(t => new ExpectedHistory(t, positions[t].Item1, null)).Concat(mempool).ToList();
            var unspent = coins.Where(c => !spentInMempool.Contains((c.TxId, (int)c.Vout)))
                .Select(c => new ExpectedUnspent(c.TxId, (int)c.Vout, c.Value, c.Height))
                .Concat(mempoolTxs.SelectMany(t => t.Outs.Where(o => o.Script == script && !spentInMempool.Contains((t.TxId, o.Vout)))
                    .Select(o => new ExpectedUnspent(t.TxId, o.Vout, o.Value, 0))))
                .ToList();
            var unconfirmed = mempoolTxs.Sum(t => t.Outs.Where(o => o.Script == script).Sum(o => o.Value)) -
                mempoolTxs.Sum(t => t.Ins.Where(i => outputs[i].Script == script).Sum(i => outputs[i].Value));
            var scripthash = ScripthashOf(script);
            result[scripthash] = new ScripthashExpectation(scripthash, script, coins.Sum(c => c.Value), unconfirmed, unspent, full, utxoHistory, mempool);
        }
        return new NodeView(tipHeight, tipHash, result, positions, [.. mempoolIds]);
    }

    /// <summary><c>scantxoutset</c> over raw() descriptors of <paramref name="scripts"/>: the node's confirmed unspent outputs per script.</summary>
    private static async Task<Dictionary<string, List<NodeUtxo>>> ScanAsync(LitecoindNode node, IReadOnlyCollection<string> scripts)
    {
        var scan = await node.Rpc.CallAsync("scantxoutset", "start", scripts.Select(s => $"raw({s})").ToArray());
        if (!scan.GetProperty("success").GetBoolean())
        {
            throw new InvalidOperationException("scantxoutset did not succeed");
        }
        return scan.GetProperty("unspents").EnumerateArray()
            .GroupBy(u => u.GetProperty("scriptPubKey").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(u => new NodeUtxo(
                u.GetProperty("txid").GetString()!,
                u.GetProperty("vout").GetUInt32(),
                NodeUtxos.Satoshis(u.GetProperty("amount")),
                u.GetProperty("height").GetInt32())).ToList());
    }
}
