using Coinshard.Chain.Hashing;

namespace Coinshard.Storage;

/// <summary>
/// A history row of a block being connected: transaction <paramref name="TxId"/> at position
/// <paramref name="TxPos"/> funds or spends an output whose script has key <paramref name="ScripthashKey"/>.
/// One row per (scripthash, transaction); the store removes exact duplicates.
/// </summary>
/// <param name="ScripthashKey">Compact scripthash key (<see cref="ScripthashKeys.Of"/>).</param>
/// <param name="TxPos">Position of the transaction in its block.</param>
/// <param name="TxId">The transaction id.</param>
public readonly record struct BlockHistoryEntry(ulong ScripthashKey, int TxPos, Hash256 TxId);

/// <summary>One confirmed transaction of a scripthash's history, in Electrum order (height, then position).</summary>
/// <param name="Height">Block height.</param>
/// <param name="TxPos">Position in the block.</param>
/// <param name="TxId">Transaction id.</param>
public readonly record struct HistoryItem(int Height, int TxPos, Hash256 TxId);

/// <summary>Where a confirmed transaction sits: needed for Electrum's get_merkle and id_from_pos.</summary>
/// <param name="Height">Block height.</param>
/// <param name="TxPos">Position in the block.</param>
public readonly record struct TxPosition(int Height, int TxPos);
