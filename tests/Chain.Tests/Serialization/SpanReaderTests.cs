using Coinshard.Chain.Encoding;
using Coinshard.Chain.Serialization;

using Xunit;

namespace Coinshard.Chain.Tests.Serialization;

public class SpanReaderTests
{
    [Theory]
    [InlineData("00", 0UL)]
    [InlineData("fc", 252UL)]
    [InlineData("fdfd00", 253UL)]
    [InlineData("fdffff", 65535UL)]
    [InlineData("fe00000100", 65536UL)]
    [InlineData("ff0000000001000000", 0x100000000UL)]
    public void CompactSize_round_trips(string hex, ulong value)
    {
        var reader = new SpanReader(Hex.Decode(hex));
        Assert.Equal(value, reader.ReadCompactSize());
        Assert.True(reader.IsAtEnd);
        var writer = new ByteWriter();
        writer.WriteCompactSize(value);
        Assert.Equal(hex, Hex.Encode(writer.WrittenSpan));
    }

    [Theory]
    [InlineData("fdfc00")]
    [InlineData("feffff0000")]
    [InlineData("ffffffffff00000000")]
    public void CompactSize_rejects_non_minimal(string hex)
    {
        var ex = Assert.Throws<NonCanonicalEncodingException>(() => new SpanReader(Hex.Decode(hex)).ReadCompactSize());
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Truncation_names_offset_and_need()
    {
        var ex = Assert.Throws<TruncatedDataException>(() =>
        {
            var r = new SpanReader(new byte[] { 1, 2, 3 }, baseOffset: 100);
            r.ReadByte();
            r.ReadUInt32();
        });
        Assert.Equal(101, ex.Offset);
        Assert.Contains("needed 4 bytes, 2 remain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_counts_are_rejected_before_allocating()
    {
        var ex = Assert.Throws<SizeLimitExceededException>(() =>
        {
            var r = new SpanReader(Hex.Decode("ffffffffffffffff7f00"));
            r.ReadCount("input", minElementSize: 41);
        });
        Assert.Contains("input count", ex.Message, StringComparison.Ordinal);
        Assert.Throws<TruncatedDataException>(() => new SpanReader(Hex.Decode("fe00000010aa")).ReadVarBytes("script"));
    }

    // Examples from Bitcoin Core's serialize.h / the dumptxoutset format notes (also used by the snapshot tests).
    public static TheoryData<ulong, string> VarIntExamples => new()
    {
        { 0UL, "00" },
        { 127UL, "7f" },
        { 128UL, "8000" },
        { 255UL, "807f" },
        { 16383UL, "fe7f" },
        { 16384UL, "ff00" },
        { 65535UL, "82fe7f" },
        { 4294967296UL, "8efefeff00" },
        { ulong.MaxValue, "80fefefefefefefefe7f" },
    };

    [Theory]
    [MemberData(nameof(VarIntExamples))]
    public void VarInt_round_trips(ulong value, string hex)
    {
        var writer = new ByteWriter();
        writer.WriteVarInt(value);
        Assert.Equal(hex, Hex.Encode(writer.WrittenSpan));
        Assert.Equal(hex.Length / 2, VarInt.GetSize(value));
        var reader = new SpanReader(Hex.Decode(hex));
        Assert.Equal(value, reader.ReadVarInt());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void VarInt_rejects_overflow_and_truncation()
    {
        Assert.Throws<SizeLimitExceededException>(() => new SpanReader(Hex.Decode("80fefefefefefefeff00")).ReadVarInt());
        Assert.Throws<SizeLimitExceededException>(() => new SpanReader(Hex.Decode("ffffffffffffffffffffff7f")).ReadVarInt());
        Assert.Throws<TruncatedDataException>(() => new SpanReader(Hex.Decode("8080")).ReadVarInt());
    }

    [Fact]
    public void EnsureAtEnd_reports_trailing_bytes()
    {
        var ex = Assert.Throws<TrailingDataException>(() =>
        {
            var r = new SpanReader(new byte[] { 1, 2 });
            r.ReadByte();
            r.EnsureAtEnd("test structure");
        });
        Assert.Equal(1, ex.Offset);
    }
}
