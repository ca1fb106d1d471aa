using Coinshard.Chain;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage.Internal;

/// <summary>
/// Undo data of one block, stored as one compact blob per block so that connect writes a single row:
/// the coins it spent (full data, to restore them), the outpoints it created (to delete them), and in
/// full mode its history keys and transaction ids (to delete those rows by primary key).
/// </summary>
/// <remarks>
/// Format v1: byte version=1; CompactSize n, n × coin; CompactSize g, g × (txid, CompactSize k, k × VarInt vout);
/// CompactSize h, h × (uint64 key, VarInt tx_pos); CompactSize t, t × txid.
/// Coin: txid, VarInt vout, uint64 key, VarInt value, VarInt height, byte flags (bit 0 coinbase), VarInt tx_pos+1.
/// VarInt is Bitcoin Core's VARINT (as in its undo files).
/// </remarks>
internal sealed record UndoRecord(
    IReadOnlyList<StoredCoin> Spent,
    IReadOnlyList<OutPoint> Created,
    IReadOnlyList<(ulong Key, int TxPos)> History,
    IReadOnlyList<Hash256> TxIds)
{
    private const byte Version = 1;

    public byte[] Serialize()
    {
        var writer = new ByteWriter(64 + (Spent.Count * 64) + (Created.Count * 36) + (History.Count * 10) + (TxIds.Count * 32));
        writer.WriteByte(Version);
        writer.WriteCompactSize((ulong)Spent.Count);
        foreach (var coin in Spent)
        {
            writer.WriteHash256(coin.OutPoint.TxId);
            writer.WriteVarInt(coin.OutPoint.Index);
            writer.WriteUInt64(coin.ScripthashKey);
            writer.WriteVarInt((ulong)coin.Value);
            writer.WriteVarInt((ulong)coin.Height);
            writer.WriteByte(coin.IsCoinbase ? (byte)1 : (byte)0);
            writer.WriteVarInt((ulong)(coin.TxPos + 1));
        }
        var groups = Created.GroupBy(o => o.TxId).ToList();
        writer.WriteCompactSize((ulong)groups.Count);
        foreach (var group in groups)
        {
            writer.WriteHash256(group.Key);
            var vouts = group.ToList();
            writer.WriteCompactSize((ulong)vouts.Count);
            foreach (var outPoint in vouts)
            {
                writer.WriteVarInt(outPoint.Index);
            }
        }
        writer.WriteCompactSize((ulong)History.Count);
        foreach (var (key, txPos) in History)
        {
            writer.WriteUInt64(key);
            writer.WriteVarInt((ulong)txPos);
        }
        writer.WriteCompactSize((ulong)TxIds.Count);
        foreach (var txid in TxIds)
        {
            writer.WriteHash256(txid);
        }
        return writer.ToArray();
    }

    /// <summary>Parses a blob written by <see cref="Serialize"/>; corrupt data raises <see cref="StoreConsistencyException"/>.</summary>
    public static UndoRecord Parse(ReadOnlySpan<byte> data, int height)
    {
        try
        {
            var reader = new SpanReader(data);
            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new Coinshard.Chain.InvalidDataException($"unknown undo format version {version}");
            }
            var spentCount = reader.ReadCount("spent coins", 32 + 13);
            var spent = new List<StoredCoin>(spentCount);
            for (var i = 0; i < spentCount; i++)
            {
                var txid = reader.ReadHash256();
                var vout = checked((uint)reader.ReadVarInt());
                var key = reader.ReadUInt64();
                var value = checked((long)reader.ReadVarInt());
                var coinHeight = checked((int)reader.ReadVarInt());
                var flags = reader.ReadByte();
                var txPos = checked((int)reader.ReadVarInt()) - 1;
                spent.Add(new StoredCoin(new OutPoint(txid, vout), key, value, coinHeight, (flags & 1) != 0, txPos));
            }
            var groupCount = reader.ReadCount("created groups", 33);
            var created = new List<OutPoint>(groupCount);
            for (var i = 0; i < groupCount; i++)
            {
                var txid = reader.ReadHash256();
                var vouts = reader.ReadCount("created outputs", 1);
                for (var j = 0; j < vouts; j++)
                {
                    created.Add(new OutPoint(txid, checked((uint)reader.ReadVarInt())));
                }
            }
            var historyCount = reader.ReadCount("history rows", 9);
            var history = new List<(ulong, int)>(historyCount);
            for (var i = 0; i < historyCount; i++)
            {
                var key = reader.ReadUInt64();
                history.Add((key, checked((int)reader.ReadVarInt())));
            }
            var txidCount = reader.ReadCount("transaction ids", 32);
            var txids = new List<Hash256>(txidCount);
            for (var i = 0; i < txidCount; i++)
            {
                txids.Add(reader.ReadHash256());
            }
            reader.EnsureAtEnd("undo data");
            return new UndoRecord(spent, created, history, txids);
        }
        catch (Exception e) when (e is ChainFormatException or OverflowException)
        {
            throw new StoreConsistencyException($"the undo data of height {height} is corrupt: {e.Message}", inner: e);
        }
    }
}
