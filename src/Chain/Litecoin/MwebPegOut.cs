namespace Coinshard.Chain.Litecoin;

/// <summary>
/// Coins an MWEB kernel moves back to the canonical chain. The HogEx pays them out as ordinary
/// (indexable) outputs; here they are read from the kernel so both views can be compared.
/// </summary>
public sealed class MwebPegOut
{
    private readonly byte[] _scriptPubKey;

    internal MwebPegOut(long amount, byte[] scriptPubKey)
    {
        Amount = amount;
        _scriptPubKey = scriptPubKey;
    }

    /// <summary>Amount in satoshis (litoshis).</summary>
    public long Amount { get; }

    /// <summary>The canonical script the coins are paid to.</summary>
    public ReadOnlyMemory<byte> ScriptPubKey => _scriptPubKey;
}
