namespace Coinshard.Chain.Transactions;

/// <summary>A transaction input: the outpoint it spends, its scriptSig, nSequence and witness stack.</summary>
public sealed class TxIn
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> s_noWitness = [];

    /// <summary>Creates an input; the byte strings are copied so the input stays immutable.</summary>
    public TxIn(OutPoint prevOut, ReadOnlySpan<byte> scriptSig, uint sequence, IEnumerable<byte[]>? witness = null)
        : this(prevOut, scriptSig.ToArray(), sequence, witness is null ? null : [.. witness.Select(w => new ReadOnlyMemory<byte>([.. w]))])
    {
    }

    internal TxIn(OutPoint prevOut, ReadOnlyMemory<byte> scriptSig, uint sequence, IReadOnlyList<ReadOnlyMemory<byte>>? witness)
    {
        PrevOut = prevOut;
        ScriptSig = scriptSig;
        Sequence = sequence;
        Witness = witness is null || witness.Count == 0 ? s_noWitness : witness;
    }

    /// <summary>nSequence value that disables nLockTime and relative lock-times.</summary>
    public const uint SequenceFinal = uint.MaxValue;

    /// <summary>The output being spent (the null outpoint for a coinbase).</summary>
    public OutPoint PrevOut { get; }

    /// <summary>The unlocking script (for a coinbase: arbitrary data starting with the BIP34 height).</summary>
    public ReadOnlyMemory<byte> ScriptSig { get; }

    /// <summary>nSequence.</summary>
    public uint Sequence { get; }

    /// <summary>The segwit witness stack; empty when the input has none.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Witness { get; }

    /// <summary>True when the witness stack has items.</summary>
    public bool HasWitness => Witness.Count != 0;
}
