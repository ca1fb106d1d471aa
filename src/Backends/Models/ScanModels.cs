using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>
/// One thing to look for in a UTXO-set scan: an output descriptor (<c>addr(…)</c>, <c>raw(…)</c>,
/// <c>wpkh(xpub…/0/*)</c>), with a derivation range when it is ranged.
/// </summary>
/// <param name="Descriptor">The descriptor text, with or without checksum.</param>
/// <param name="RangeStart">First derivation index for ranged descriptors; null for the node's default.</param>
/// <param name="RangeEnd">Last derivation index (inclusive) for ranged descriptors; null for the node's default (1000).</param>
public sealed record ScanObject(string Descriptor, int? RangeStart = null, int? RangeEnd = null)
{
    /// <summary>A ranged descriptor covering indexes <paramref name="start"/>..<paramref name="end"/>.</summary>
    public static ScanObject Ranged(string descriptor, int start, int end) => new(descriptor, start, end);
}

/// <summary>An unspent output found by a scan.</summary>
/// <param name="Txid">Transaction id.</param>
/// <param name="Vout">Output index.</param>
/// <param name="ScriptPubKey">The output script.</param>
/// <param name="Amount">Value in satoshis.</param>
/// <param name="Height">Height of the block that created it.</param>
/// <param name="Descriptor">The (expanded) descriptor that matched, as the node reports it; null when the backend does not say.</param>
public sealed record ScannedUtxo(Hash256 Txid, int Vout, byte[] ScriptPubKey, long Amount, int Height, string? Descriptor);

/// <summary>The result of a UTXO-set scan: what was found, at which tip.</summary>
/// <param name="Height">Height of the tip the scan ran against.</param>
/// <param name="BestBlock">Hash of that tip.</param>
/// <param name="Unspents">The matching unspent outputs (confirmed ones only: scans read the chainstate, not the mempool).</param>
/// <param name="TotalAmount">Sum of <paramref name="Unspents"/> in satoshis.</param>
public sealed record ScanResult(int Height, Hash256 BestBlock, IReadOnlyList<ScannedUtxo> Unspents, long TotalAmount);

/// <summary>An unspent output of a watched address.</summary>
/// <param name="Address">The address as the caller gave it.</param>
/// <param name="Utxo">The output.</param>
public sealed record AddressUtxo(string Address, ScannedUtxo Utxo);

/// <summary>The confirmed UTXOs of a set of addresses at one tip.</summary>
/// <param name="Height">Height of the tip the answer refers to.</param>
/// <param name="BestBlock">Hash of that tip.</param>
/// <param name="Utxos">Every unspent output paying one of the addresses.</param>
public sealed record AddressUtxos(int Height, Hash256 BestBlock, IReadOnlyList<AddressUtxo> Utxos)
{
    /// <summary>Confirmed balance per address in satoshis (0 for addresses without coins).</summary>
    public IReadOnlyDictionary<string, long> Balances(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var balances = addresses.Distinct(StringComparer.Ordinal).ToDictionary(a => a, _ => 0L, StringComparer.Ordinal);
        foreach (var utxo in Utxos)
        {
            balances[utxo.Address] = checked(balances.GetValueOrDefault(utxo.Address) + utxo.Utxo.Amount);
        }
        return balances;
    }
}
