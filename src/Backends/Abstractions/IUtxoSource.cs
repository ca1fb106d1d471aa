using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>Lookups of unspent outputs: one by outpoint, or all of some addresses.</summary>
public interface IUtxoSource : IBackend
{
    /// <summary>
    /// The output <paramref name="txid"/>:<paramref name="vout"/> if it is unspent, else null. With
    /// <paramref name="includeMempool"/>, mempool outputs count and outputs spent in the mempool do not.
    /// </summary>
    Task<UtxoInfo?> GetUtxoAsync(Hash256 txid, int vout, bool includeMempool = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks a claimed UTXO: that it exists unspent and confirmed, pays <paramref name="expectedScript"/>,
    /// and, when <paramref name="heightHint"/> is given, was created at that height (backends without an
    /// index use the hint to know where to look).
    /// </summary>
    Task<UtxoVerification> VerifyUtxoAsync(Hash256 txid, int vout, ReadOnlyMemory<byte> expectedScript, int? heightHint = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The confirmed unspent outputs of <paramref name="addresses"/> (each valid on the backend's network).
    /// Two spellings of one script (Litecoin's M… and legacy 3… P2SH) each get the output listed.
    /// </summary>
    /// <exception cref="Coinshard.Chain.ChainFormatException">An address is invalid or of another network (subtype says which).</exception>
    Task<AddressUtxos> GetAddressUtxosAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default);

    /// <summary>The confirmed balance of each address in satoshis (0 for addresses without coins).</summary>
    /// <exception cref="Coinshard.Chain.ChainFormatException">An address is invalid or of another network.</exception>
    Task<IReadOnlyDictionary<string, long>> GetAddressBalancesAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default);
}
