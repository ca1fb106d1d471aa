using System.Security.Cryptography;
using System.Text;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Mempool;
using Coinshard.Storage;

namespace Coinshard.Electrum.Scripthashes;

/// <summary>One line of a scripthash's history as Electrum reports it.</summary>
/// <param name="TxId">Transaction id.</param>
/// <param name="Height">Block height; 0 for mempool with confirmed inputs, -1 with unconfirmed inputs.</param>
/// <param name="Fee">Fee in satoshis for mempool entries; null for confirmed ones.</param>
public readonly record struct HistoryEntry(Hash256 TxId, int Height, long? Fee);

/// <summary>
/// Builds a scripthash's history in the protocol's order and its status hash
/// (protocol-basics, "Status"): confirmed transactions by (height, position in block), then mempool
/// transactions by (height 0 before -1, txid as display hex).
/// </summary>
public static class ScripthashHistory
{
    /// <summary>History from the store's full-mode rows (already in block order) and the mempool view.</summary>
    public static List<HistoryEntry> FromHistory(IReadOnlyList<HistoryItem> confirmed, ScripthashMempool? mempool)
    {
        var entries = new List<HistoryEntry>(confirmed.Count + (mempool?.Transactions.Count ?? 0));
        foreach (var item in confirmed)
        {
            entries.Add(new HistoryEntry(item.TxId, item.Height, null));
        }
        AppendMempool(entries, mempool);
        return entries;
    }

    /// <summary>
    /// History in utxo mode: the transactions that created still-unspent coins (the index keeps no
    /// spent history), once each, in block order; then the mempool. Coins loaded from a snapshot have
    /// no block position and are ordered by txid within their height.
    /// </summary>
    public static List<HistoryEntry> FromCoins(IReadOnlyList<StoredCoin> coins, ScripthashMempool? mempool)
    {
        var ordered = coins
            .OrderBy(c => c.Height).ThenBy(c => c.TxPos).ThenBy(c => c.OutPoint.TxId, Hash256.DisplayOrder);
        var seen = new HashSet<Hash256>();
        var entries = new List<HistoryEntry>(coins.Count + (mempool?.Transactions.Count ?? 0));
        foreach (var coin in ordered)
        {
            if (seen.Add(coin.OutPoint.TxId))
            {
                entries.Add(new HistoryEntry(coin.OutPoint.TxId, coin.Height, null));
            }
        }
        AppendMempool(entries, mempool);
        return entries;
    }

    /// <summary>The status: hex SHA-256 of the concatenated <c>txid:height:</c> strings, or null with no history.</summary>
    public static string? Status(IReadOnlyList<HistoryEntry> history)
    {
        if (history.Count == 0)
        {
            return null;
        }
        var text = new StringBuilder(history.Count * 72);
        foreach (var entry in history)
        {
            text.Append(entry.TxId.ToString()).Append(':').Append(entry.Height.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':');
        }
        return Hex.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(text.ToString())));
    }

    private static void AppendMempool(List<HistoryEntry> entries, ScripthashMempool? mempool)
    {
        if (mempool is null)
        {
            return;
        }
        foreach (var tx in mempool.Transactions)
        {
            entries.Add(new HistoryEntry(tx.TxId, tx.Height, tx.Fee));
        }
    }
}
