using System.Globalization;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Parses coin records and applies Core's loader checks (PopulateAndValidateSnapshot): height at most the
/// base height, output index below 0xFFFFFFFF (and within Core's CompactSize limit in version 2), amount in
/// the money range, group sizes within the coins left; plus chainstate order when asked.
/// </summary>
internal sealed class CoinRecordParser
{
    /// <summary>Core's <c>MAX_SIZE</c>: <c>ReadCompactSize</c> rejects larger values.</summary>
    public const ulong MaxCompactSize = 0x0200_0000;

    private readonly bool _pegOutFlag;
    private readonly ulong _maxMoney;
    private readonly int _baseHeight;
    private readonly bool _verifyOrder;
    private Hash256 _lastTxId;
    private ulong _lastIndexKey;
    private bool _haveTxId;
    private bool _haveIndex;

    public CoinRecordParser(Currency currency, int? baseHeight, bool verifyOrder)
    {
        _pegOutFlag = currency == Currency.Litecoin;
        _maxMoney = (ulong)MoneyRange.MaxMoney(currency);
        _baseHeight = baseHeight ?? int.MaxValue;
        _verifyOrder = verifyOrder;
    }

    /// <summary>An older-format record: txid, u32 index, coin.</summary>
    public void ReadLegacy(ref SnapshotCursor c, ref CoinRecord r)
    {
        r.Offset = c.Offset;
        var txId = c.ReadHash("a coin's txid");
        var indexOffset = c.Offset;
        var index = c.ReadUInt32("a coin's output index");
        if (index == uint.MaxValue)
        {
            throw new SnapshotFormatException(SnapshotError.InvalidOutputIndex, "output index 0xFFFFFFFF (the null outpoint's) is not a coin", indexOffset);
        }
        if (_verifyOrder)
        {
            var key = ChainstateOrder.OutputIndexKey(index);
            if (_haveTxId)
            {
                var cmp = txId.CompareTo(_lastTxId);
                if (cmp < 0 || (cmp == 0 && key <= _lastIndexKey))
                {
                    throw OutOfOrder($"coin {txId}:{index} follows {_lastTxId}", r.Offset);
                }
            }
            _lastTxId = txId;
            _lastIndexKey = key;
            _haveTxId = true;
        }
        r.TxId = txId;
        r.Index = index;
        ReadCoin(ref c, ref r);
    }

    /// <summary>A version-2 group header: txid and CompactSize coin count (at most <paramref name="coinsLeft"/>).</summary>
    public ulong ReadGroupHeader(ref SnapshotCursor c, ulong coinsLeft, out Hash256 txId)
    {
        var start = c.Offset;
        txId = c.ReadHash("a txid group's txid");
        var countOffset = c.Offset;
        var count = c.ReadCompactSize("a txid group's coin count");
        if (count > coinsLeft)
        {
            throw new SnapshotFormatException(SnapshotError.GroupTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"the group of txid {txId} claims {count} coins but the header's count leaves only {coinsLeft}"), countOffset);
        }
        if (count > MaxCompactSize)
        {
            throw new SnapshotFormatException(SnapshotError.GroupTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"the group of txid {txId} claims {count} coins, above Core's CompactSize limit of {MaxCompactSize}"), countOffset);
        }
        if (_verifyOrder)
        {
            if (_haveTxId && txId.CompareTo(_lastTxId) <= 0)
            {
                throw OutOfOrder($"txid group {txId} follows group {_lastTxId}", start);
            }
            _lastTxId = txId;
            _haveTxId = true;
            _haveIndex = false;
        }
        return count;
    }

    /// <summary>A version-2 coin inside a group: CompactSize index, coin.</summary>
    public void ReadGrouped(ref SnapshotCursor c, Hash256 txId, ref CoinRecord r)
    {
        r.Offset = c.Offset;
        var index = c.ReadCompactSize("a coin's output index");
        if (index > MaxCompactSize)
        {
            throw new SnapshotFormatException(SnapshotError.InvalidOutputIndex, string.Create(CultureInfo.InvariantCulture,
                $"output index {index} is above Core's CompactSize limit of {MaxCompactSize}"), r.Offset);
        }
        if (_verifyOrder)
        {
            var key = ChainstateOrder.OutputIndexKey((uint)index);
            if (_haveIndex && key <= _lastIndexKey)
            {
                throw OutOfOrder($"output {index} of txid {txId} is not after the group's previous output", r.Offset);
            }
            _lastIndexKey = key;
            _haveIndex = true;
        }
        r.TxId = txId;
        r.Index = (uint)index;
        ReadCoin(ref c, ref r);
    }

    // Core's Coin: VARINT(code), VARINT(CompressAmount(value)), compressed script.
    private void ReadCoin(ref SnapshotCursor c, ref CoinRecord r)
    {
        var codeOffset = c.Offset;
        var code = (uint)c.ReadVarInt(uint.MaxValue, "a coin's height code");
        CoinCode.Decode(code, _pegOutFlag, out r.Height, out r.IsCoinbase, out r.IsPegOut);
        if (r.Height > _baseHeight)
        {
            throw new SnapshotFormatException(SnapshotError.HeightAboveBase, string.Create(CultureInfo.InvariantCulture,
                $"coin {r.TxId}:{r.Index} has height {r.Height}, above the base block's {_baseHeight}"), codeOffset);
        }
        var amountOffset = c.Offset;
        var compressed = c.ReadVarInt(ulong.MaxValue, "a coin's amount");
        if (!AmountCompression.TryDecompress(compressed, out var value) || value > _maxMoney)
        {
            throw new SnapshotFormatException(SnapshotError.AmountOutOfRange, string.Create(CultureInfo.InvariantCulture,
                $"coin {r.TxId}:{r.Index}: compressed amount {compressed} is outside the money range (0..{_maxMoney})"), amountOffset);
        }
        r.Value = (long)value;
        r.ScriptOffset = c.Offset;
        var nSize = (uint)c.ReadVarInt(uint.MaxValue, "a coin's script size");
        r.ScriptSize = nSize;
        r.PayloadStart = c.Position;
        r.OversizedLength = 0;
        if (nSize < ScriptCompression.SpecialScriptCount)
        {
            r.PayloadLength = nSize < 2 ? 20 : 32;
        }
        else if (nSize - ScriptCompression.SpecialScriptCount > ScriptCompression.MaxScriptSize)
        {
            // Core skips it and stores OP_RETURN; the bytes may run past the window, so the caller skips them.
            r.PayloadLength = 0;
            r.OversizedLength = nSize - ScriptCompression.SpecialScriptCount;
            return;
        }
        else
        {
            r.PayloadLength = (int)(nSize - ScriptCompression.SpecialScriptCount);
        }
        c.ReadBytes(r.PayloadLength, "a coin's script");
    }

    private static SnapshotFormatException OutOfOrder(string what, long offset) =>
        new(SnapshotError.OutOfOrder, $"coins are not in chainstate order: {what}", offset);
}
