namespace Coinshard.Backends;

/// <summary>Finds the unspent outputs of output descriptors across the whole UTXO set without importing them anywhere.</summary>
public interface IDescriptorScanner : IBackend
{
    /// <summary>
    /// Scans the UTXO set for outputs matching any of <paramref name="objects"/>. Scans can take minutes
    /// on mainnet; cancelling aborts the scan on the backend.
    /// </summary>
    /// <exception cref="ScanFailedException">The backend stayed busy with another scan for too long, or aborted the scan.</exception>
    Task<ScanResult> ScanAsync(IReadOnlyList<ScanObject> objects, CancellationToken cancellationToken = default);
}
