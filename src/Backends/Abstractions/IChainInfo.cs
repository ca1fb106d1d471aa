using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>The backend's view of the chain: its tip, block hashes by height, and headers.</summary>
public interface IChainInfo : IBackend
{
    /// <summary>The chain state now; also verifies the backend's network.</summary>
    /// <exception cref="BackendNetworkMismatchException">The backend is on another network than <see cref="IBackend.Network"/>.</exception>
    Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default);

    /// <summary>The hash of the best-chain block at <paramref name="height"/>, or null when the chain is not that high.</summary>
    Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default);

    /// <summary>
    /// The hashes of up to <paramref name="count"/> consecutive best-chain blocks from <paramref name="fromHeight"/>
    /// in one round trip; fewer (possibly none) when the chain ends sooner.
    /// </summary>
    Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default);

    /// <summary>The 80-byte header of a block.</summary>
    /// <exception cref="BlockNotFoundException">The block is unknown.</exception>
    Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default);
}
