namespace Coinshard.Backends;

/// <summary>
/// What a backend can do, so the router sends each call to an adapter able to answer it.
/// A Core node can do almost everything; a compact-filter client has no mempool and no fee
/// estimates; a REST API has no raw UTXO-set scans.
/// </summary>
public sealed record BackendCapabilities
{
    /// <summary>Fee estimates are available (<see cref="IFeeEstimator"/>).</summary>
    public bool CanEstimateFee { get; init; }

    /// <summary>Unconfirmed transactions are visible (<see cref="IMempoolSource"/>, mempool-aware UTXO lookups).</summary>
    public bool HasMempoolAccess { get; init; }

    /// <summary>Raw blocks can be fetched by hash (<see cref="IBlockSource"/>).</summary>
    public bool ProvidesRawBlocks { get; init; }

    /// <summary>Any confirmed transaction can be fetched by id (Core: needs <c>-txindex</c>); otherwise only mempool ones.</summary>
    public bool ProvidesConfirmedTransactions { get; init; }

    /// <summary>Descriptors and addresses can be scanned against the whole UTXO set at once (Core: <c>scantxoutset</c>).</summary>
    public bool SupportsUtxoSetScan { get; init; }

    /// <summary>Transactions can be broadcast (<see cref="IBroadcaster"/>).</summary>
    public bool CanBroadcast { get; init; }

    /// <summary>The backend needs BIP157/158 filter headers and filters to work (a neutrino client).</summary>
    public bool RequiresNeutrinoMetadata { get; init; }

    /// <summary>The backend can serve BIP157/158 filters (Core: <c>-blockfilterindex</c>).</summary>
    public bool ProvidesNeutrinoMetadata { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var names = new List<string>();
        if (CanEstimateFee) names.Add("fee-estimates");
        if (HasMempoolAccess) names.Add("mempool");
        if (ProvidesRawBlocks) names.Add("raw-blocks");
        if (ProvidesConfirmedTransactions) names.Add("tx-index");
        if (SupportsUtxoSetScan) names.Add("utxo-scan");
        if (CanBroadcast) names.Add("broadcast");
        if (RequiresNeutrinoMetadata) names.Add("needs-filters");
        if (ProvidesNeutrinoMetadata) names.Add("serves-filters");
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
