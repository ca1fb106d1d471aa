namespace Coinshard.Backends;

/// <summary>Totals of the backend's whole UTXO set, to compare an index against the node (differential tests, audits).</summary>
public interface IUtxoSetStatistics : IBackend
{
    /// <summary>Counts and total amount of the UTXO set at the current tip; slow on mainnet.</summary>
    Task<UtxoSetInfo> GetUtxoSetInfoAsync(CancellationToken cancellationToken = default);
}
