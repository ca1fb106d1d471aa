using Coinshard.Backends.Core;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Backends.Tests.Routing;

/// <summary>
/// A real Core backend with a reduced surface: only chain information and fee figures, as a backend
/// without blocks, mempool, scans or broadcast would offer. Not a mock: every call goes to the node.
/// <paramref name="capabilities"/> can withdraw flags (e.g. fee estimates) to test routing by flag.
/// </summary>
public sealed class ChainAndFeesBackend(CoreRpcBackend inner, BackendCapabilities? capabilities = null) : IChainInfo, IFeeEstimator
{
    public string Name => $"chain+fees via {inner.Name}";

    public Network Network => inner.Network;

    public BackendCapabilities Capabilities => capabilities ?? inner.Capabilities;

    public BackendHealth Health => inner.Health;

    public Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default) => inner.GetChainStateAsync(cancellationToken);

    public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default) => inner.GetBlockHashAsync(height, cancellationToken);

    public Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default) =>
        inner.GetBlockHashesAsync(fromHeight, count, cancellationToken);

    public Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default) => inner.GetBlockHeaderAsync(blockHash, cancellationToken);

    public Task<FeeEstimate?> EstimateFeeAsync(int confirmationTarget, FeeEstimateMode mode = FeeEstimateMode.Default, CancellationToken cancellationToken = default) =>
        inner.EstimateFeeAsync(confirmationTarget, mode, cancellationToken);

    public Task<FeeRate> GetMempoolMinFeeAsync(CancellationToken cancellationToken = default) => inner.GetMempoolMinFeeAsync(cancellationToken);

    public Task<FeeRate> GetRelayFeeAsync(CancellationToken cancellationToken = default) => inner.GetRelayFeeAsync(cancellationToken);
}
