using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;

namespace Coinshard.Backends.Routing;

/// <summary>The consumer interfaces, each method one routed call.</summary>
public sealed partial class BackendRouter
{
    private static readonly Route ChainStateRoute = new(nameof(GetChainStateAsync), Affinity: Affinity.ChainSource);
    private static readonly Route BlockHashRoute = new(nameof(GetBlockHashAsync), Affinity: Affinity.ChainSource);
    private static readonly Route BlockHashesRoute = new(nameof(GetBlockHashesAsync), Affinity: Affinity.ChainSource);
    private static readonly Route BlockHeaderRoute = new(nameof(GetBlockHeaderAsync), Affinity: Affinity.ChainSource);
    private static readonly Route BlockHeadersRoute = new(nameof(GetBlockHeadersAsync), Affinity: Affinity.ChainSource);
    private static readonly Route BlockRoute = new(nameof(GetBlockAsync), CapabilityNeed.RawBlocks, Affinity: Affinity.ChainSource);
    private static readonly Route NewTipRoute = new(nameof(WaitForNewTipAsync), Affinity: Affinity.PreferredChainSource);
    private static readonly Route MempoolUtxoRoute = new(nameof(GetUtxoAsync), CapabilityNeed.Mempool);
    private static readonly Route ConfirmedUtxoRoute = new(nameof(GetUtxoAsync));
    private static readonly Route VerifyUtxoRoute = new(nameof(VerifyUtxoAsync), CapabilityNeed.Mempool);
    private static readonly Route AddressUtxosRoute = new(nameof(GetAddressUtxosAsync));
    private static readonly Route AddressBalancesRoute = new(nameof(GetAddressBalancesAsync));
    private static readonly Route ScanRoute = new(nameof(ScanAsync), CapabilityNeed.UtxoSetScan);
    private static readonly Route UtxoSetInfoRoute = new(nameof(GetUtxoSetInfoAsync));
    private static readonly Route TransactionRoute = new(nameof(GetTransactionAsync), Prefers: CapabilityNeed.ConfirmedTransactions);
    private static readonly Route TransactionInBlockRoute = new(nameof(GetTransactionAsync));
    private static readonly Route TransactionJsonRoute = new(nameof(GetTransactionJsonAsync), Prefers: CapabilityNeed.ConfirmedTransactions);
    private static readonly Route TransactionJsonInBlockRoute = new(nameof(GetTransactionJsonAsync));
    private static readonly Route BroadcastRoute = new(nameof(BroadcastAsync), CapabilityNeed.Broadcast);
    private static readonly Route EstimateFeeRoute = new(nameof(EstimateFeeAsync), CapabilityNeed.FeeEstimates);
    private static readonly Route MempoolMinFeeRoute = new(nameof(GetMempoolMinFeeAsync), CapabilityNeed.Mempool);
    private static readonly Route RelayFeeRoute = new(nameof(GetRelayFeeAsync));
    private static readonly Route MempoolTxidsRoute = new(nameof(GetMempoolTxidsAsync), CapabilityNeed.Mempool);
    private static readonly Route MempoolEntriesRoute = new(nameof(GetMempoolEntriesAsync), CapabilityNeed.Mempool);
    private static readonly Route MempoolInfoRoute = new(nameof(GetMempoolInfoAsync), CapabilityNeed.Mempool);

    // ---- IChainInfo / IBlockSource: stick to the chain source ----

    /// <inheritdoc />
    public Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IChainInfo, ChainState>(ChainStateRoute, (b, ct) => b.GetChainStateAsync(ct), null, cancellationToken);

    /// <inheritdoc />
    public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IChainInfo, Hash256?>(BlockHashRoute, (b, ct) => b.GetBlockHashAsync(height, ct), null, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IChainInfo, IReadOnlyList<Hash256>>(BlockHashesRoute, (b, ct) => b.GetBlockHashesAsync(fromHeight, count, ct), null, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="BlockNotFoundException">No adapter has the block (and every able one was asked).</exception>
    public Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IChainInfo, byte[]>(BlockHeaderRoute, (b, ct) => b.GetBlockHeaderAsync(blockHash, ct), null, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="BlockNotFoundException">No adapter has a block (and every able one was asked).</exception>
    public Task<IReadOnlyList<byte[]>> GetBlockHeadersAsync(IReadOnlyList<Hash256> blockHashes, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IChainInfo, IReadOnlyList<byte[]>>(BlockHeadersRoute, (b, ct) => b.GetBlockHeadersAsync(blockHashes, ct), null, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="BlockNotFoundException">No adapter has the block (and every able one was asked).</exception>
    public Task<byte[]> GetBlockAsync(Hash256 blockHash, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IBlockSource, byte[]>(BlockRoute, (b, ct) => b.GetBlockAsync(blockHash, ct), null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Waits on the most preferred adapter in service, which becomes the chain source: a catch-up that
    /// moved to a fallback returns to a recovered preferred adapter here. On failover the next adapter
    /// waits for what is left of <paramref name="timeout"/> (and, at another tip, returns at once).
    /// </remarks>
    public Task<ChainTip> WaitForNewTipAsync(Hash256 knownTip, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        return ExecuteAsync<IBlockSource, ChainTip>(
            NewTipRoute,
            (b, ct) =>
            {
                var remaining = timeout - _time.GetElapsedTime(started);
                return b.WaitForNewTipAsync(knownTip, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, ct);
            },
            null,
            cancellationToken);
    }

    // ---- IUtxoSource ----

    /// <inheritdoc />
    /// <remarks>With <paramref name="includeMempool"/>, only adapters with mempool access answer (others would count coins spent in the mempool).</remarks>
    public Task<UtxoInfo?> GetUtxoAsync(Hash256 txid, int vout, bool includeMempool = true, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IUtxoSource, UtxoInfo?>(includeMempool ? MempoolUtxoRoute : ConfirmedUtxoRoute, (b, ct) => b.GetUtxoAsync(txid, vout, includeMempool, ct), null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Only adapters with mempool access answer: a coin already spent by an unconfirmed transaction must not verify.</remarks>
    public Task<UtxoVerification> VerifyUtxoAsync(Hash256 txid, int vout, ReadOnlyMemory<byte> expectedScript, int? heightHint = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IUtxoSource, UtxoVerification>(VerifyUtxoRoute, (b, ct) => b.VerifyUtxoAsync(txid, vout, expectedScript, heightHint, ct), null, cancellationToken);

    /// <inheritdoc />
    public Task<AddressUtxos> GetAddressUtxosAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return ExecuteAsync<IUtxoSource, AddressUtxos>(AddressUtxosRoute, (b, ct) => b.GetAddressUtxosAsync(addresses, ct), null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> GetAddressBalancesAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return ExecuteAsync<IUtxoSource, IReadOnlyDictionary<string, long>>(AddressBalancesRoute, (b, ct) => b.GetAddressBalancesAsync(addresses, ct), null, cancellationToken);
    }

    // ---- IDescriptorScanner, IUtxoSetStatistics ----

    /// <inheritdoc />
    /// <remarks>A backend busy with another scan for too long (<see cref="ScanFailedException"/>) hands the scan to the next one.</remarks>
    public Task<ScanResult> ScanAsync(IReadOnlyList<ScanObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return ExecuteAsync<IDescriptorScanner, ScanResult>(ScanRoute, (b, ct) => b.ScanAsync(objects, ct), null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UtxoSetInfo> GetUtxoSetInfoAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IUtxoSetStatistics, UtxoSetInfo>(UtxoSetInfoRoute, (b, ct) => b.GetUtxoSetInfoAsync(ct), null, cancellationToken);

    // ---- ITransactionSource, IVerboseTransactionSource: a null answer asks the next adapter ----

    /// <inheritdoc />
    /// <remarks>
    /// Adapters with a transaction index are asked first; one that does not know the transaction passes
    /// it on. Null only when every adapter in service said so and none failed during the call.
    /// </remarks>
    public Task<byte[]?> GetTransactionAsync(Hash256 txid, Hash256? blockHash = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync<ITransactionSource, byte[]?>(
            blockHash is null ? TransactionRoute : TransactionInBlockRoute, (b, ct) => b.GetTransactionAsync(txid, blockHash, ct), IsNull, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Like <see cref="GetTransactionAsync"/>: indexed adapters first, null only when nobody knows it.</remarks>
    public Task<byte[]?> GetTransactionJsonAsync(Hash256 txid, Hash256? blockHash = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IVerboseTransactionSource, byte[]?>(
            blockHash is null ? TransactionJsonRoute : TransactionJsonInBlockRoute, (b, ct) => b.GetTransactionJsonAsync(txid, blockHash, ct), IsNull, cancellationToken);

    // ---- IFeeEstimator ----

    /// <inheritdoc />
    /// <remarks>An adapter with too little data (null) passes the question on; null when none has data.</remarks>
    public Task<FeeEstimate?> EstimateFeeAsync(int confirmationTarget, FeeEstimateMode mode = FeeEstimateMode.Default, CancellationToken cancellationToken = default) =>
        ExecuteAsync<IFeeEstimator, FeeEstimate?>(EstimateFeeRoute, (b, ct) => b.EstimateFeeAsync(confirmationTarget, mode, ct), IsNull, cancellationToken);

    /// <inheritdoc />
    public Task<FeeRate> GetMempoolMinFeeAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IFeeEstimator, FeeRate>(MempoolMinFeeRoute, (b, ct) => b.GetMempoolMinFeeAsync(ct), null, cancellationToken);

    /// <inheritdoc />
    public Task<FeeRate> GetRelayFeeAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IFeeEstimator, FeeRate>(RelayFeeRoute, (b, ct) => b.GetRelayFeeAsync(ct), null, cancellationToken);

    // ---- IMempoolSource ----

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash256>> GetMempoolTxidsAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IMempoolSource, IReadOnlyList<Hash256>>(MempoolTxidsRoute, (b, ct) => b.GetMempoolTxidsAsync(ct), null, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<MempoolEntry>> GetMempoolEntriesAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IMempoolSource, IReadOnlyList<MempoolEntry>>(MempoolEntriesRoute, (b, ct) => b.GetMempoolEntriesAsync(ct), null, cancellationToken);

    /// <inheritdoc />
    public Task<MempoolInfo> GetMempoolInfoAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync<IMempoolSource, MempoolInfo>(MempoolInfoRoute, (b, ct) => b.GetMempoolInfoAsync(ct), null, cancellationToken);

    private static bool IsNull<T>(T value) => value is null;
}
