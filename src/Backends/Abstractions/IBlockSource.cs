using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>
/// A source of whole blocks for the chain follower. Blocks cross this interface as the node's raw
/// serialization (for Litecoin including the MWEB extension data), so parsing stays in one place.
/// </summary>
public interface IBlockSource : IChainInfo
{
    /// <summary>The serialized block.</summary>
    /// <exception cref="BlockNotFoundException">The block is unknown or pruned.</exception>
    Task<byte[]> GetBlockAsync(Hash256 blockHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the best block is no longer <paramref name="knownTip"/> and returns the new tip, or
    /// returns the unchanged tip when <paramref name="timeout"/> passes first. Returns at once when the
    /// tip already differs.
    /// </summary>
    Task<ChainTip> WaitForNewTipAsync(Hash256 knownTip, TimeSpan timeout, CancellationToken cancellationToken = default);
}
