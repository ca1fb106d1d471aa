using System.Globalization;
using System.Text.Json;

namespace Coinshard.TestSupport.Litecoind;

/// <summary>One unspent output as the node reports it (display-hex txid, satoshis).</summary>
/// <param name="TxId">Transaction id, display hex.</param>
/// <param name="Vout">Output index.</param>
/// <param name="Value">Amount in satoshis.</param>
/// <param name="Height">Block height.</param>
public sealed record NodeUtxo(string TxId, uint Vout, long Value, int Height);

/// <summary>The node's own UTXO view: the reference every index comparison is made against.</summary>
public static class NodeUtxos
{
    /// <summary>
    /// <c>scantxoutset</c> over <paramref name="addresses"/>: each address's unspent outputs, sorted by outpoint,
    /// with amounts parsed independently of the production parser. Addresses without coins map to an empty list.
    /// </summary>
    public static async Task<Dictionary<string, List<NodeUtxo>>> ScanAsync(LitecoindNode node, IReadOnlyCollection<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(addresses);
        var scan = await node.Rpc.CallAsync("scantxoutset", "start", addresses.Select(a => $"addr({a})").ToArray()).ConfigureAwait(false);
        if (!scan.GetProperty("success").GetBoolean())
        {
            throw new InvalidOperationException("scantxoutset did not succeed");
        }
        var byScript = scan.GetProperty("unspents").EnumerateArray()
            .GroupBy(u => u.GetProperty("scriptPubKey").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(u => new NodeUtxo(
                u.GetProperty("txid").GetString()!,
                u.GetProperty("vout").GetUInt32(),
                Satoshis(u.GetProperty("amount")),
                u.GetProperty("height").GetInt32())).ToList());
        var result = new Dictionary<string, List<NodeUtxo>>();
        foreach (var address in addresses)
        {
            var script = await ScriptOfAsync(node, address).ConfigureAwait(false);
            result[address] = Sorted(byScript.GetValueOrDefault(script) ?? []);
        }
        return result;
    }

    /// <summary>Outputs in outpoint order (txid display hex, then index), the order comparisons use.</summary>
    public static List<NodeUtxo> Sorted(IEnumerable<NodeUtxo> utxos) =>
        [.. utxos.OrderBy(u => u.TxId, StringComparer.Ordinal).ThenBy(u => u.Vout)];

    /// <summary>The output script (hex) an address pays to, as the node decodes it.</summary>
    public static async Task<string> ScriptOfAsync(LitecoindNode node, string address)
    {
        ArgumentNullException.ThrowIfNull(node);
        return (await node.Rpc.CallAsync("validateaddress", address).ConfigureAwait(false)).GetProperty("scriptPubKey").GetString()!;
    }

    /// <summary>Satoshis from a JSON amount in coins.</summary>
    public static long Satoshis(JsonElement amount) =>
        (long)(decimal.Parse(amount.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * LitecoindNode.SatoshisPerCoin);
}
