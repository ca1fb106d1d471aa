using Coinshard.Chain.Transactions;

namespace Coinshard.Storage;

/// <summary>
/// One coin of a UTXO snapshot for <see cref="BulkLoader.AddAsync"/>: a plain value, so a parser can
/// fill a reused <c>SnapshotCoin[]</c> on another thread and hand over slices of it without
/// allocating per coin. Snapshot coins have no known transaction position (stored as -1).
/// </summary>
/// <param name="OutPoint">The output reference.</param>
/// <param name="ScripthashKey">Compact key of the output script's Electrum scripthash (<see cref="ScripthashKeys.Of"/>).</param>
/// <param name="Value">Amount in satoshis.</param>
/// <param name="Height">Height of the block that created it (at most the snapshot base height).</param>
/// <param name="IsCoinbase">Created by a coinbase transaction.</param>
public readonly record struct SnapshotCoin(
    OutPoint OutPoint,
    ulong ScripthashKey,
    long Value,
    int Height,
    bool IsCoinbase)
{
    /// <summary>The coin as the store returns it once loaded.</summary>
    public StoredCoin ToStoredCoin() => new(OutPoint, ScripthashKey, Value, Height, IsCoinbase, -1);
}
