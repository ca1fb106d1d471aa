using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>Fetches transactions by id (Electrum's <c>blockchain.transaction.get</c>).</summary>
public interface ITransactionSource : IBackend
{
    /// <summary>
    /// The serialized transaction, or null when the backend does not know it. Without a transaction
    /// index a Core node only knows mempool transactions, unless <paramref name="blockHash"/> names the block.
    /// </summary>
    Task<byte[]?> GetTransactionAsync(Hash256 txid, Hash256? blockHash = null, CancellationToken cancellationToken = default);
}
