using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Snapshots;

/// <summary>A coin as parsed and checked, with its script still compressed (positions in the read window).</summary>
internal struct CoinRecord
{
    public Hash256 TxId;
    public uint Index;
    public long Value;
    public int Height;
    public bool IsCoinbase;
    public bool IsPegOut;

    /// <summary>The script's nSize: a template number below 6, else length + 6.</summary>
    public uint ScriptSize;

    /// <summary>Window position of the template payload or raw script.</summary>
    public int PayloadStart;

    public int PayloadLength;

    /// <summary>Length of a raw script over <see cref="ScriptCompression.MaxScriptSize"/> still to be skipped (0 normally).</summary>
    public uint OversizedLength;

    /// <summary>File offset of the record.</summary>
    public long Offset;

    /// <summary>File offset of the script's nSize (for errors found while decompressing).</summary>
    public long ScriptOffset;
}
