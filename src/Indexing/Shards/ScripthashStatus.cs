using System.Globalization;
using System.Text;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;

namespace Coinshard.Indexing.Shards;

/// <summary>
/// The Electrum status of a script hash: what <c>blockchain.scripthash.subscribe</c> returns and notifies.
/// </summary>
/// <param name="Scripthash">The script hash (Electrum's, display order in text).</param>
/// <param name="Status">
/// Lower-case hex SHA-256 of the concatenated <c>tx_hash:height:</c> entries of the history in blockchain
/// order (unconfirmed entries last, height 0 or -1); null when there is no history (or it is too large).
/// </param>
/// <param name="HistoryCount">Entries hashed (confirmed plus unconfirmed).</param>
/// <param name="HistoryTooLarge">The history exceeds the shards' limit; <paramref name="Status"/> is then null and the scripthash should be refused.</param>
public sealed record ScripthashStatus(Hash256 Scripthash, string? Status, int HistoryCount, bool HistoryTooLarge = false);

/// <summary>Sent to a subscriber when a subscribed script hash's status changes.</summary>
/// <param name="Scripthash">The script hash.</param>
/// <param name="Status">The new status (null when the history became empty, e.g. after a reorg).</param>
/// <param name="Height">Height of the block (or the tip, for a disconnect) that changed it.</param>
public sealed record ScripthashStatusChanged(Hash256 Scripthash, string? Status, int Height);

/// <summary>One entry of a script hash's history as the status hash sees it.</summary>
/// <param name="TxId">The transaction.</param>
/// <param name="Height">Its block height; 0 for an unconfirmed transaction, -1 when it also has unconfirmed inputs.</param>
public readonly record struct StatusEntry(Hash256 TxId, int Height);

/// <summary>The Electrum protocol's status hash (https://electrum-protocol.readthedocs.io, "Status").</summary>
public static class ElectrumStatus
{
    /// <summary>
    /// SHA-256 of the concatenation of <c>tx_hash:height:</c> for each entry (tx_hash in display hex),
    /// as lower-case hex; null for an empty history. <paramref name="history"/> must already be in
    /// blockchain order: confirmed by (height, position in block), then unconfirmed.
    /// </summary>
    public static string? Compute(IReadOnlyCollection<StatusEntry> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            return null;
        }
        var text = new StringBuilder(history.Count * 74);
        foreach (var entry in history)
        {
            text.Append(entry.TxId.ToString()).Append(':').Append(entry.Height.ToString(CultureInfo.InvariantCulture)).Append(':');
        }
        return Hex.Encode(Hashes.Sha256(Encoding.ASCII.GetBytes(text.ToString())));
    }
}
