using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>A backend that can describe a transaction the way the node's own verbose RPC does (Electrum's verbose <c>blockchain.transaction.get</c>).</summary>
public interface IVerboseTransactionSource : IBackend
{
    /// <summary>
    /// The node's verbose JSON object for the transaction (Core: <c>getrawtransaction txid true</c>:
    /// txid, hash, size, vin, vout, hex, and blockhash/confirmations/time when confirmed), as UTF-8
    /// JSON text; null when the backend does not know it.
    /// </summary>
    Task<byte[]?> GetTransactionJsonAsync(Hash256 txid, Hash256? blockHash = null, CancellationToken cancellationToken = default);
}
