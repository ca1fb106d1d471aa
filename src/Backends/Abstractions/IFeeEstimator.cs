namespace Coinshard.Backends;

/// <summary>Fee figures: estimates for a confirmation target, and the floors below which nothing relays.</summary>
public interface IFeeEstimator : IBackend
{
    /// <summary>The fee rate expected to confirm within <paramref name="confirmationTarget"/> blocks, or null when the backend has too little data.</summary>
    Task<FeeEstimate?> EstimateFeeAsync(int confirmationTarget, FeeEstimateMode mode = FeeEstimateMode.Default, CancellationToken cancellationToken = default);

    /// <summary>The minimum rate the mempool accepts now (rises above the relay fee when it is full).</summary>
    Task<FeeRate> GetMempoolMinFeeAsync(CancellationToken cancellationToken = default);

    /// <summary>The configured minimum relay fee rate (Electrum's <c>blockchain.relayfee</c>).</summary>
    Task<FeeRate> GetRelayFeeAsync(CancellationToken cancellationToken = default);
}
