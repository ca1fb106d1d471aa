using Coinshard.Chain.Hashing;

namespace Coinshard.Storage;

/// <summary>Totals of the indexed UTXO set, compared against the node's <c>gettxoutsetinfo</c>.</summary>
/// <param name="Count">Number of unspent outputs.</param>
/// <param name="TotalValue">Sum of their values in satoshis.</param>
public sealed record CoinStats(long Count, long TotalValue);

/// <summary>The heights that still have undo data: a reorg may go back to <c>Lowest - 1</c> and no further.</summary>
/// <param name="Lowest">Lowest height with undo data.</param>
/// <param name="Highest">Highest height with undo data (normally the tip).</param>
public sealed record UndoWindow(int Lowest, int Highest);
