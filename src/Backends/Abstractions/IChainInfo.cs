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

    /// <summary>
    /// The 80-byte headers of <paramref name="blockHashes"/> (consecutive best-chain blocks, lowest first), in order, in as
    /// few round trips as the backend allows. The default asks for one header at a time; Core's adapter takes up to
    /// 2,000 per REST call (or one batched RPC). Callers still check each header against its hash.
    /// </summary>
    /// <exception cref="BlockNotFoundException">A block is unknown.</exception>
    async Task<IReadOnlyList<byte[]>> GetBlockHeadersAsync(IReadOnlyList<Hash256> blockHashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blockHashes);
        var headers = new List<byte[]>(blockHashes.Count);
        foreach (var hash in blockHashes)
        {
            headers.Add(await GetBlockHeaderAsync(hash, cancellationToken).ConfigureAwait(false));
        }
        return headers;
    }
}
