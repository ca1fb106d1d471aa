using Coinshard.Chain.Hashing;

namespace Coinshard.Storage;

/// <summary>
/// A transaction output reference as the store keys it. The store keeps its own type so that it
/// does not depend on the transaction model; converting is a field copy.
/// </summary>
/// <param name="TxId">Transaction id (internal byte order).</param>
/// <param name="Vout">Output index.</param>
public readonly record struct StoredOutPoint(Hash256 TxId, uint Vout)
{
    /// <summary>Display form <c>txid:vout</c>, as Bitcoin Core prints outpoints.</summary>
    public override string ToString() => $"{TxId}:{Vout}";
}
