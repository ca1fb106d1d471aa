using System.Buffers.Binary;
using System.Data.Common;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage.Internal;

/// <summary>
/// How a coin is keyed and packed in the coin tables (schema v2).
/// </summary>
/// <remarks>
/// <para><c>id</c> = the txid's first 6 bytes (big-endian) in the high 48 bits and the output index in
/// the low 16, with the sign bit flipped so that signed order equals txid order: sorted snapshot input
/// is appended in key order, and the sh index carries this 8-byte key instead of a 32-byte txid.
/// <c>txrest</c> holds txid bytes 6..31, so the row still holds the whole txid (exactness).</para>
/// <para>Two unspent outpoints can share an id (48-bit txid prefixes are cheap to grind, and outputs
/// 65536 and up fold onto lower ones). The first takes the <c>{p}_coins</c> slot; any other lives in
/// <c>{p}_coins_x</c>, keyed by (id, txrest, vout). Every lookup compares the whole txid and vout, and an
/// insert into a free slot first checks that the outpoint is not already in <c>{p}_coins_x</c>, so
/// two outpoints are never confused and none is stored twice.</para>
/// <para><c>meta</c> = height × 2 + coinbase, plus (tx_pos + 1) × 2^25 (0 there: unknown position).
/// <c>shp</c> = sh &gt;&gt; 16 (a virtual column in SQLite): the scripthash index holds 6 bytes of key;
/// queries filter on the whole sh, so a shared 48-bit prefix only costs a skipped row.</para>
/// </remarks>
internal static class CoinRows
{
    public const int PrefixBytes = 6;
    public const int RestBytes = Hash256.Size - PrefixBytes;
    public const uint MaxSlotVout = 0xFFFF;
    private const ulong SignBit = 0x8000_0000_0000_0000;
    private const int PositionShift = 25;
    private const long HeightMask = (1L << PositionShift) - 1;

    /// <summary>Columns of the <c>{p}_utxo</c> view in the order <see cref="Read"/> expects.</summary>
    public const string Columns = "id, txrest, vout, sh, value, meta";

    /// <summary>Electrum listunspent order: height, tx_pos, txid, vout.</summary>
    public const string ListingOrder = "((meta & 33554431) >> 1), (meta >> 25), (id >> 16), txrest, vout";

    public static long Id(Hash256 txid, uint vout) =>
        unchecked((long)(((BinaryPrimitives.ReverseEndianness(txid.Low64) & ~0xFFFFUL) | (vout & MaxSlotVout)) ^ SignBit));

    /// <summary>True when the outpoint can live in the <c>{p}_coins</c> slot of its id.</summary>
    public static bool FitsSlot(uint vout) => vout <= MaxSlotVout;

    /// <summary>The 48-bit scripthash prefix the coins index is built on (arithmetic shift, as in SQL).</summary>
    public static long ShPrefix(ulong scripthashKey) => ScripthashKeys.ToColumn(scripthashKey) >> 16;

    public static void WriteRest(Hash256 txid, Span<byte> destination)
    {
        Span<byte> bytes = stackalloc byte[Hash256.Size];
        txid.CopyTo(bytes);
        bytes[PrefixBytes..].CopyTo(destination);
    }

    public static byte[] Rest(Hash256 txid)
    {
        var rest = new byte[RestBytes];
        WriteRest(txid, rest);
        return rest;
    }

    public static Hash256 TxId(long id, ReadOnlySpan<byte> rest)
    {
        if (rest.Length != RestBytes)
        {
            throw new StoreConsistencyException($"a coin row holds {rest.Length} txid bytes after its key, not {RestBytes}");
        }
        Span<byte> bytes = stackalloc byte[Hash256.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, unchecked((ulong)id ^ SignBit));
        rest.CopyTo(bytes[PrefixBytes..]);
        return new Hash256(bytes);
    }

    public static long Meta(int height, bool coinbase, int txPos) =>
        ((long)height << 1) | (coinbase ? 1L : 0L) | ((long)(txPos + 1) << PositionShift);

    public static long Meta(in StoredCoin coin) => Meta(coin.Height, coin.IsCoinbase, coin.TxPos);

    public static StoredCoin Decode(long id, ReadOnlySpan<byte> rest, uint vout, long sh, long value, long meta) => new(
        new OutPoint(TxId(id, rest), vout),
        ScripthashKeys.FromColumn(sh),
        value,
        (int)((meta & HeightMask) >> 1),
        (meta & 1) != 0,
        checked((int)(meta >> PositionShift)) - 1);

    /// <summary>Reads a coin from <see cref="Columns"/> starting at <paramref name="first"/>.</summary>
    public static StoredCoin Read(DbDataReader reader, int first = 0) => Decode(
        reader.GetInt64(first),
        (byte[])reader.GetValue(first + 1),
        checked((uint)reader.GetInt64(first + 2)),
        reader.GetInt64(first + 3),
        reader.GetInt64(first + 4),
        reader.GetInt64(first + 5));
}
