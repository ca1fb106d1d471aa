using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Mempool;
using Coinshard.Indexing.Shards;

namespace Coinshard.Electrum.Scripthashes;

/// <summary>One line of a scripthash's history as Electrum reports it.</summary>
/// <param name="TxId">Transaction id.</param>
/// <param name="Height">Block height; 0 for mempool with confirmed inputs, -1 with unconfirmed inputs.</param>
/// <param name="Fee">Fee in satoshis for mempool entries; null for confirmed ones.</param>
public readonly record struct HistoryEntry(Hash256 TxId, int Height, long? Fee);

/// <summary>
/// A scripthash's Electrum history: the confirmed part exactly as <see cref="ConfirmedHistory"/>
/// defines it (the same entries the status hash is computed from), then the mempool in the
/// protocol's canonical order, with fees.
/// </summary>
public static class ScripthashHistory
{
    /// <summary>Joins the confirmed entries and the mempool view.</summary>
    public static List<HistoryEntry> Combine(IReadOnlyList<StatusEntry> confirmed, ScripthashMempool? mempool)
    {
        var entries = new List<HistoryEntry>(confirmed.Count + (mempool?.Transactions.Count ?? 0));
        foreach (var entry in confirmed)
        {
            entries.Add(new HistoryEntry(entry.TxId, entry.Height, null));
        }
        foreach (var tx in mempool?.Transactions ?? [])
        {
            entries.Add(new HistoryEntry(tx.TxId, tx.Height, tx.Fee));
        }
        return entries;
    }

    /// <summary>The status hash of a history (<see cref="ElectrumStatus"/>); null with no history.</summary>
    public static string? Status(IReadOnlyList<HistoryEntry> history) =>
        ElectrumStatus.Compute([.. history.Select(e => new StatusEntry(e.TxId, e.Height))]);
}
