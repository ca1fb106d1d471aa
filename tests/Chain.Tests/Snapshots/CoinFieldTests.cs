using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Snapshots;
using Coinshard.Chain.Tests.Serialization;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>VARINT, the height code, chainstate order: the fields around a coin.</summary>
public class CoinFieldTests
{
    [Theory]
    [MemberData(nameof(SpanReaderTests.VarIntExamples), MemberType = typeof(SpanReaderTests))]
    public void VarInt_examples_read_by_the_snapshot_cursor(ulong value, string hex)
    {
        var cursor = new SnapshotCursor(Hex.Decode(hex), 0);
        Assert.Equal(value, cursor.ReadVarInt(ulong.MaxValue, "test"));
        Assert.Equal(0, cursor.Remaining);
    }

    [Theory]
    [InlineData("8efefeff00", 0xFFFF_FFFFUL)]                 // 2^32 in a 32-bit field (a coin's code or nSize)
    [InlineData("8efefefe8000", 0xFFFF_FFFFUL)]               // past 2^32-1 by continuing
    [InlineData("80fefefefefefefefeff00", ulong.MaxValue)]   // 2^64
    [InlineData("ffffffffffffffffffffff7f", ulong.MaxValue)]
    public void VarInt_overflow_is_rejected_at_its_first_byte(string hex, ulong max)
    {
        var bytes = Hex.Decode("aa" + hex);
        var ex = Assert.Throws<SnapshotFormatException>(() =>
        {
            var cursor = new SnapshotCursor(bytes, 1000);
            cursor.ReadByte("lead");
            cursor.ReadVarInt(max, "a field");
        });
        Assert.Equal(SnapshotError.VarIntOverflow, ex.Error);
        Assert.Equal(1001, ex.Offset);
        Assert.Contains("at byte offset 1001", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VarInt_largest_32_bit_value_is_accepted()
    {
        var cursor = new SnapshotCursor(Hex.Decode("8efefefe7f"), 0);
        Assert.Equal(uint.MaxValue, cursor.ReadVarInt(uint.MaxValue, "code"));
    }

    [Theory]
    [InlineData(0, false, false, 0u)]
    [InlineData(0, true, false, 1u)]
    [InlineData(101, true, false, 203u)]
    [InlineData(700_000, false, false, 1_400_000u)]
    [InlineData(435, false, true, 0x8000_0000u + 870)]
    public void Height_code(int height, bool coinbase, bool pegOut, uint code)
    {
        Assert.Equal(code, CoinCode.Encode(height, coinbase, pegOut));
        CoinCode.Decode(code, hasPegOutFlag: true, out var h, out var c, out var p);
        Assert.Equal((height, coinbase, pegOut), (h, c, p));
    }

    [Fact]
    public void Bit_31_is_height_on_Bitcoin_and_the_peg_out_flag_on_Litecoin()
    {
        const uint code = 0x8000_0000u + 870;
        CoinCode.Decode(code, hasPegOutFlag: false, out var height, out _, out var pegOut);
        Assert.Equal((0x8000_0000u + 870) >> 1, (uint)height);
        Assert.False(pegOut);
        CoinCode.Decode(code, hasPegOutFlag: true, out height, out _, out pegOut);
        Assert.Equal(435, height);
        Assert.True(pegOut);
        Assert.Throws<ArgumentOutOfRangeException>(() => CoinCode.Encode(1 << 30, false, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => CoinCode.Encode(-1, false));
    }

    [Fact]
    public void Chainstate_order_follows_VARINT_bytes_not_numbers()
    {
        Assert.True(ChainstateOrder.OutputIndexKey(127) < ChainstateOrder.OutputIndexKey(128));
        Assert.True(ChainstateOrder.OutputIndexKey(128) < ChainstateOrder.OutputIndexKey(16511));
        // 16,511 = FF 7F, 16,512 = 80 80 00: LevelDB puts 16,512 first.
        Assert.True(ChainstateOrder.OutputIndexKey(16512) < ChainstateOrder.OutputIndexKey(16511));
        Assert.True(ChainstateOrder.OutputIndexKey(uint.MaxValue - 1) > ChainstateOrder.OutputIndexKey(0));
        var low = new Hash256(Hex.Decode("00".PadRight(64, '1')));
        var high = new Hash256(Hex.Decode("01".PadRight(64, '0')));
        Assert.True(ChainstateOrder.Compare(new OutPoint(low, 5), new OutPoint(high, 0)) < 0);
        Assert.True(ChainstateOrder.Compare(new OutPoint(low, 16512), new OutPoint(low, 16511)) < 0);
        Assert.Equal(0, ChainstateOrder.Compare(new OutPoint(low, 7), new OutPoint(low, 7)));
    }

    [Fact]
    public void Every_VARINT_key_compares_like_its_bytes()
    {
        Span<byte> a = stackalloc byte[VarInt.MaxSize], b = stackalloc byte[VarInt.MaxSize];
        uint[] samples = [0, 1, 127, 128, 129, 255, 256, 16383, 16384, 16510, 16511, 16512, 16513, 65535, 2_113_663, 2_113_664, 0x7FFF_FFFF, uint.MaxValue - 1];
        foreach (var x in samples)
        {
            foreach (var y in samples)
            {
                var bytes = a[..VarInt.Write(a, x)].SequenceCompareTo(b[..VarInt.Write(b, y)]);
                Assert.Equal(Math.Sign(bytes), Math.Sign(ChainstateOrder.OutputIndexKey(x).CompareTo(ChainstateOrder.OutputIndexKey(y))));
            }
        }
    }

    [Fact]
    public void Money_range_per_currency()
    {
        Assert.True(MoneyRange.Contains(21_000_000 * 100_000_000L, Currency.Bitcoin));
        Assert.False(MoneyRange.Contains((21_000_000 * 100_000_000L) + 1, Currency.Bitcoin));
        Assert.True(MoneyRange.Contains(84_000_000 * 100_000_000L, Currency.Litecoin));
        Assert.False(MoneyRange.Contains(-1, Currency.Litecoin));
    }
}
