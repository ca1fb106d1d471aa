using Coinshard.Chain.Hashing;
using Coinshard.Storage;

namespace Coinshard.Indexing.Shards;

/// <summary>A script hash's confirmed history as read from the store.</summary>
/// <param name="Entries">Entries in blockchain order (empty when <paramref name="TooLarge"/>).</param>
/// <param name="TooLarge">More entries than the limit: the caller refuses the script hash instead of answering.</param>
/// <param name="Count">Entries read (limit + 1 when too large).</param>
public sealed record ConfirmedHistoryResult(IReadOnlyList<StatusEntry> Entries, bool TooLarge, int Count);

/// <summary>
/// The one definition of a script hash's confirmed history, shared by status hashes and Electrum's
/// <c>get_history</c> so that the two can never disagree: full mode reads the history rows; utxo mode
/// lists the distinct transactions that created still-unspent outputs, in the store's coin order
/// (height, position in block, txid, vout).
/// </summary>
public static class ConfirmedHistory
{
    /// <summary>Reads at most <paramref name="limit"/> entries.</summary>
    public static async Task<ConfirmedHistoryResult> ReadAsync(ChainStore store, IndexMode mode, Hash256 scripthash, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (mode == IndexMode.Full)
        {
            var history = await store.GetHistoryAsync(scripthash, limit + 1, cancellationToken).ConfigureAwait(false);
            return history.Count > limit
                ? new ConfirmedHistoryResult([], true, history.Count)
                : new ConfirmedHistoryResult([.. history.Select(h => new StatusEntry(h.TxId, h.Height))], false, history.Count);
        }

        var coins = await store.GetCoinsByScripthashAsync(scripthash, limit + 1, cancellationToken).ConfigureAwait(false);
        if (coins.Count > limit)
        {
            return new ConfirmedHistoryResult([], true, coins.Count);
        }
        var seen = new HashSet<Hash256>();
        var entries = new List<StatusEntry>();
        foreach (var coin in coins)
        {
            if (seen.Add(coin.OutPoint.TxId))
            {
                entries.Add(new StatusEntry(coin.OutPoint.TxId, coin.Height));
            }
        }
        return new ConfirmedHistoryResult(entries, false, coins.Count);
    }
}
