namespace Coinshard.Chain.Snapshots;

/// <summary>The two layouts of <c>dumptxoutset</c> files.</summary>
public enum UtxoSnapshotFormat
{
    /// <summary>
    /// Bitcoin Core 0.20 – 27.x and Litecoin Core 0.21.x: no magic; base block hash, u64 coin count, optionally
    /// a u32 nChainTx (see <see cref="LegacyHeaderLayout"/>); then per coin txid, u32 index, coin.
    /// </summary>
    Legacy,

    /// <summary>
    /// Bitcoin Core 28.0 and later (file version 2): magic <c>utxo</c> 0xFF, u16 version, network magic, base
    /// block hash, u64 coin count; then per txid a group: txid, CompactSize count, per coin CompactSize index, coin.
    /// </summary>
    Version2,
}

/// <summary>Whether an older-format (<see cref="UtxoSnapshotFormat.Legacy"/>) header carries nChainTx.</summary>
public enum LegacyHeaderLayout
{
    /// <summary>
    /// Decide from the file: parse the first coins after a 44-byte and after a 40-byte header and keep the
    /// reading that gives valid coins in chainstate order (and ends exactly at the end of a short file).
    /// A tie is resolved to 44 bytes on Litecoin (every Litecoin release with <c>dumptxoutset</c> writes
    /// nChainTx) and is an <see cref="SnapshotError.AmbiguousHeader"/> error on Bitcoin.
    /// </summary>
    Detect,

    /// <summary>44 bytes: hash, count, u32 nChainTx (Bitcoin Core 0.20/0.21, Litecoin Core 0.21).</summary>
    WithChainTx,

    /// <summary>40 bytes: hash, count (Bitcoin Core 22 – 27).</summary>
    WithoutChainTx,
}
