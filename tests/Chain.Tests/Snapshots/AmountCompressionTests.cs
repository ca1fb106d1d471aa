using Coinshard.Chain.Snapshots;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

public class AmountCompressionTests
{
    private const ulong Cent = 1_000_000, Coin = 100_000_000;

    [Theory]
    // docs/utxo-snapshot-format.md
    [InlineData(100_000_000UL, 9UL)]
    [InlineData(5_000_000_000UL, 50UL)]
    [InlineData(546UL, 4911UL)]
    // bitcoin/bitcoin src/test/compress_tests.cpp, compress_amounts (see Fixtures/README.md); its
    // (COIN, 0x9) and (50*COIN, 0x32) are the doc's first two pairs.
    [InlineData(0UL, 0x0UL)]
    [InlineData(1UL, 0x1UL)]
    [InlineData(Cent, 0x7UL)]
    [InlineData(21_000_000 * Coin, 0x1406f40UL)]
    public void Known_pairs(ulong amount, ulong compressed)
    {
        Assert.Equal(compressed, AmountCompression.Compress(amount));
        Assert.Equal(amount, AmountCompression.Decompress(compressed));
        Assert.True(AmountCompression.TryDecompress(compressed, out var back));
        Assert.Equal(amount, back);
    }

    // The loops of Core's compress_amounts: encode→decode over the multiples it uses, decode→encode over 0..99,999.
    [Fact]
    public void Core_round_trip_ranges()
    {
        for (ulong i = 1; i <= 100_000; i++)
        {
            AssertEncodes(i);
        }
        for (ulong i = 1; i <= 10_000; i++)
        {
            AssertEncodes(i * Cent);
            AssertEncodes(i * Coin);
        }
        for (ulong i = 1; i <= 420_000; i++)
        {
            AssertEncodes(i * 50 * Coin);
        }
        for (ulong i = 0; i < 100_000; i++)
        {
            Assert.Equal(i, AmountCompression.Compress(AmountCompression.Decompress(i)));
        }
    }

    [Fact]
    public void Values_past_64_bits_are_rejected_where_Core_would_wrap()
    {
        Assert.False(AmountCompression.TryDecompress(ulong.MaxValue, out _));
        // e = 9 and n = 2^60 + 1: n * 10^9 passes 2^64.
        var overflowing = 1 + ((1UL << 60) * 10) + 9;
        Assert.False(AmountCompression.TryDecompress(overflowing, out _));
        Assert.Throws<OverflowException>(() => AmountCompression.Decompress(overflowing)); // where Core's arithmetic wraps
        // The largest power of ten that fits still decodes.
        Assert.True(AmountCompression.TryDecompress(AmountCompression.Compress(10_000_000_000_000_000_000UL), out var big));
        Assert.Equal(10_000_000_000_000_000_000UL, big);
    }

    private static void AssertEncodes(ulong amount)
    {
        var compressed = AmountCompression.Compress(amount);
        Assert.True(AmountCompression.TryDecompress(compressed, out var back));
        Assert.Equal(amount, back);
    }
}
