using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// The order of coins in Core's chainstate database, and therefore in <c>dumptxoutset</c> files: LevelDB
/// compares keys <c>'C' ‖ txid ‖ VARINT(index)</c> bytewise. Txids compare by their internal bytes; output
/// indexes compare by their VARINT bytes, which is numeric order except across encoding lengths above 2
/// bytes (16,511 = <c>FF 7F</c> sorts after 16,512 = <c>80 80 00</c>).
/// </summary>
public static class ChainstateOrder
{
    /// <summary>
    /// A number whose order is the bytewise order of <c>VARINT(index)</c>: the encoding (at most 5 bytes for
    /// 32 bits) left-aligned in 64 bits. VARINT is prefix-free, so aligned comparison equals bytewise comparison.
    /// </summary>
    public static ulong OutputIndexKey(uint index)
    {
        if (index < 0x80)
        {
            return (ulong)index << 56;
        }
        Span<byte> encoded = stackalloc byte[Serialization.VarInt.MaxSize];
        var length = Serialization.VarInt.Write(encoded, index);
        ulong key = 0;
        for (var i = 0; i < length; i++)
        {
            key |= (ulong)encoded[i] << (56 - (8 * i));
        }
        return key;
    }

    /// <summary>Compares two outpoints in chainstate order.</summary>
    public static int Compare(OutPoint left, OutPoint right)
    {
        var c = left.TxId.CompareTo(right.TxId);
        return c != 0 ? c : OutputIndexKey(left.Index).CompareTo(OutputIndexKey(right.Index));
    }
}
