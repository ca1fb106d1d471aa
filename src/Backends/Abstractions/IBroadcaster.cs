using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>Submits transactions to the network.</summary>
public interface IBroadcaster : IBackend
{
    /// <summary>
    /// Broadcasts a serialized transaction and returns its id. Sending a transaction the node already
    /// has in its mempool succeeds again (broadcast is idempotent).
    /// </summary>
    /// <exception cref="TransactionRejectedException">The node refused it; subtypes name double spends, missing inputs, fee problems, confirmed duplicates.</exception>
    Task<Hash256> BroadcastAsync(ReadOnlyMemory<byte> transaction, CancellationToken cancellationToken = default);
}
