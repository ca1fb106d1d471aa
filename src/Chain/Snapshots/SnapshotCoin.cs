using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// One coin of a snapshot, decoded. A ref struct: <see cref="Script"/> points into the reader's buffers and is
/// valid only until the reader moves on, so reading allocates nothing per coin. Copy what you keep.
/// </summary>
public readonly ref struct SnapshotCoin
{
    /// <summary>Creates a coin (for writers and tests).</summary>
    public SnapshotCoin(OutPoint outPoint, long value, int height, bool isCoinbase, bool isPegOut, ReadOnlySpan<byte> script, long offset = -1)
    {
        OutPoint = outPoint;
        Value = value;
        Height = height;
        IsCoinbase = isCoinbase;
        IsPegOut = isPegOut;
        Script = script;
        Offset = offset;
    }

    /// <summary>The coin's outpoint (txid and output index).</summary>
    public OutPoint OutPoint { get; }

    /// <summary>The amount in satoshis.</summary>
    public long Value { get; }

    /// <summary>Height of the block that created the coin.</summary>
    public int Height { get; }

    /// <summary>True when a coinbase transaction created the coin.</summary>
    public bool IsCoinbase { get; }

    /// <summary>True for a Litecoin coin paid by a HogEx as an MWEB peg-out (always false on Bitcoin).</summary>
    public bool IsPegOut { get; }

    /// <summary>The output script, decompressed.</summary>
    public ReadOnlySpan<byte> Script { get; }

    /// <summary>Byte offset of the coin's record in the file (-1 when not read from a file).</summary>
    public long Offset { get; }
}
