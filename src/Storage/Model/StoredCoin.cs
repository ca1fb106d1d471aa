using Coinshard.Chain.Transactions;
namespace Coinshard.Storage;

/// <summary>
/// One unspent output as indexed: enough to serve Electrum's listunspent and balance, and to
/// restore the coin exactly when a block that spent it is disconnected. The script itself is not
/// kept (the node has it); <paramref name="ScripthashKey"/> finds the coin by script.
/// </summary>
/// <param name="OutPoint">The output reference (primary key).</param>
/// <param name="ScripthashKey">Compact key of the output script's Electrum scripthash (<see cref="ScripthashKeys.Of"/>).</param>
/// <param name="Value">Amount in satoshis.</param>
/// <param name="Height">Height of the block that created it.</param>
/// <param name="IsCoinbase">Created by a coinbase transaction (maturity rules apply).</param>
/// <param name="TxPos">Position of the creating transaction in its block, or -1 when unknown (snapshot-loaded coins).</param>
public readonly record struct StoredCoin(
    OutPoint OutPoint,
    ulong ScripthashKey,
    long Value,
    int Height,
    bool IsCoinbase,
    int TxPos);
