using System.Text.Json;

using Coinshard.Chain.Hashing;
using Coinshard.TestSupport.Litecoind;

namespace Coinshard.Indexing.Tests.Support;

/// <summary>
/// Every script's Electrum history, rebuilt from the node's own verbose blocks (<c>getblock … 2</c>) with
/// nothing of ours: outputs fund their script, inputs spend the script of the output they name. Canonical
/// transactions only (MWEB data is confidential), unspendable outputs and the genesis coinbase skipped.
/// </summary>
internal static class NodeHistory
{
    public static async Task<Dictionary<string, List<(int Height, int TxPos, Hash256 TxId)>>> BuildAsync(LitecoindNode node)
    {
        var height = await node.GetBlockCountAsync();
        var scriptOf = new Dictionary<(string, uint), string>();
        var history = new Dictionary<string, List<(int, int, Hash256)>>();
        void Add(string script, int h, int pos, Hash256 txId)
        {
            if (!history.TryGetValue(script, out var list))
            {
                history[script] = list = [];
            }
            if (list.Count == 0 || list[^1] != (h, pos, txId))
            {
                list.Add((h, pos, txId));
            }
        }
        for (var h = 1; h <= height; h++)
        {
            var hash = await node.Rpc.CallStringAsync("getblockhash", h);
            var block = await node.Rpc.CallAsync("getblock", hash, 2);
            var pos = 0;
            foreach (var tx in block.GetProperty("tx").EnumerateArray())
            {
                var txid = tx.GetProperty("txid").GetString()!;
                var txId = Hash256.Parse(txid);
                var touched = new List<string>();
                foreach (var input in tx.GetProperty("vin").EnumerateArray())
                {
                    if (input.TryGetProperty("coinbase", out _) || IsMweb(input))
                    {
                        continue;
                    }
                    if (scriptOf.TryGetValue((input.GetProperty("txid").GetString()!, input.GetProperty("vout").GetUInt32()), out var spent))
                    {
                        touched.Add(spent);
                    }
                }
                foreach (var output in tx.GetProperty("vout").EnumerateArray())
                {
                    var script = output.GetProperty("scriptPubKey");
                    if (IsMweb(output) || script.GetProperty("type").GetString() == "nulldata")
                    {
                        continue;
                    }
                    var hex = script.GetProperty("hex").GetString()!;
                    scriptOf[(txid, output.GetProperty("n").GetUInt32())] = hex;
                    touched.Add(hex);
                }
                foreach (var script in touched.Distinct())
                {
                    Add(script, h, pos, txId);
                }
                pos++;
            }
        }
        return history;
    }

    private static bool IsMweb(JsonElement element) => element.TryGetProperty("ismweb", out var mweb) && mweb.GetBoolean();
}
