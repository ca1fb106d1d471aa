using Coinshard.Storage.Internal;

namespace Coinshard.Storage.Loading;

/// <summary>
/// A batch of snapshot coins encoded as coin-table rows, column by column in reused arrays (no
/// allocation per coin): slot rows for <c>{p}_coins</c>, and the rare overflow rows for <c>{p}_coins_x</c>.
/// </summary>
internal sealed class EncodedCoins
{
    public long[] Ids { get; private set; } = [];

    /// <summary>Txid bytes 6..31 of row i at <c>i * CoinRows.RestBytes</c>.</summary>
    public byte[] Rests { get; private set; } = [];

    public long[] Shs { get; private set; } = [];

    public long[] Values { get; private set; } = [];

    public long[] Metas { get; private set; } = [];

    public int Count { get; private set; }

    /// <summary>Rows whose id slot is taken by an earlier coin of the load (or whose vout does not fit a slot).</summary>
    public List<OverflowRow> Overflow { get; } = [];

    public void Reset(int capacity)
    {
        if (Ids.Length < capacity)
        {
            Ids = new long[capacity];
            // Pinned: the SQLite writer binds rows straight from it (SQLITE_STATIC) until each statement is stepped.
            Rests = GC.AllocateArray<byte>(capacity * CoinRows.RestBytes, pinned: true);
            Shs = new long[capacity];
            Values = new long[capacity];
            Metas = new long[capacity];
        }
        Count = 0;
        Overflow.Clear();
    }

    public void AddSlot(long id, in SnapshotCoin coin)
    {
        var i = Count++;
        Ids[i] = id;
        CoinRows.WriteRest(coin.OutPoint.TxId, Rests.AsSpan(i * CoinRows.RestBytes, CoinRows.RestBytes));
        Shs[i] = ScripthashKeys.ToColumn(coin.ScripthashKey);
        Values[i] = coin.Value;
        Metas[i] = CoinRows.Meta(coin.Height, coin.IsCoinbase, -1);
    }

    public ReadOnlySpan<byte> Rest(int i) => Rests.AsSpan(i * CoinRows.RestBytes, CoinRows.RestBytes);

    /// <summary>The address of row i's txid rest in the pinned <see cref="Rests"/>.</summary>
    public nint RestAddress(int i) => System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(Rests, i * CoinRows.RestBytes);

    public ReadOnlyMemory<byte> RestMemory(int i) => Rests.AsMemory(i * CoinRows.RestBytes, CoinRows.RestBytes);
}

/// <summary>One <c>{p}_coins_x</c> row of a load.</summary>
internal readonly record struct OverflowRow(long Id, byte[] Rest, uint Vout, long Sh, long Value, long Meta);
