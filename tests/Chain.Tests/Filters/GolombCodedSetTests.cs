using Coinshard.Chain.Encoding;
using Coinshard.Chain.Filters;

using Xunit;

namespace Coinshard.Chain.Tests.Filters;

public class GolombCodedSetTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 16).Select(i => (byte)(i * 7))];

    [Theory]
    [InlineData(1, 19, 784931u)]
    [InlineData(17, 19, 784931u)]
    [InlineData(500, 19, 784931u)]
    [InlineData(300, 5, 32u)]
    [InlineData(64, 32, 1u << 31)]
    public void Build_serialize_decode_match_round_trip(int count, int p, uint m)
    {
        var seed = (count * 131) + p;
        var random = new Random(seed);
        var members = Enumerable.Range(0, count).Select(_ =>
        {
            var e = new byte[random.Next(0, 40)];
            random.NextBytes(e);
            return e;
        }).ToList();
        var built = GolombCodedSet.Build(Key, members, p, m);
        var decoded = GolombCodedSet.Decode(Key, built.Encoded, p, m);

        Assert.Equal(built.N, decoded.N);
        Assert.Equal(built.GetHashedValues(), decoded.GetHashedValues());
        foreach (var member in members)
        {
            Assert.True(decoded.Match(member), $"seed {seed}: member {Hex.Encode(member)} not matched");
        }
        Assert.True(decoded.MatchAny(members.Take(1).Append([0xFF, 0xFE])));
        var values = decoded.GetHashedValues();
        Assert.True(values.SequenceEqual(values.Order()), "values must be sorted");
        Assert.All(values, v => Assert.True(v < (ulong)decoded.N * m));
    }

    [Fact]
    public void Duplicates_count_once()
    {
        var set = GolombCodedSet.Build(Key, [[1, 2], [1, 2], [3]], 19, 784931);
        Assert.Equal(2u, set.N);
    }

    [Fact]
    public void Decode_rejects_truncated_trailing_and_oversized_counts()
    {
        var set = GolombCodedSet.Build(Key, Enumerable.Range(0, 20).Select(i => new byte[] { (byte)i }), 19, 784931);
        var bytes = set.Encoded.ToArray();

        Assert.Throws<TruncatedDataException>(() => GolombCodedSet.Decode(Key, bytes.AsSpan(0, bytes.Length - 3), 19, 784931));
        Assert.Throws<TrailingDataException>(() => GolombCodedSet.Decode(Key, [.. bytes, 0x00], 19, 784931));
        // 200 elements need at least 200 * 20 bits; a few bytes cannot hold them.
        Assert.Throws<SizeLimitExceededException>(() => GolombCodedSet.Decode(Key, [200, 1, 2, 3], 19, 784931));
        // 2^32 elements is beyond BIP158's range.
        Assert.Throws<SizeLimitExceededException>(() => GolombCodedSet.Decode(Key, [0xFF, 0, 0, 0, 0, 1, 0, 0, 0], 19, 784931));
        Assert.Throws<NonCanonicalEncodingException>(() => GolombCodedSet.Decode(Key, [0xFD, 0x01, 0x00], 19, 784931));
        Assert.Throws<TruncatedDataException>(() => GolombCodedSet.Decode(Key, [], 19, 784931));
    }

    [Fact]
    public void Golomb_rice_bits_are_msb_first()
    {
        // With P = 2 and known hashed values the stream is predictable: compare against a
        // hand-encoded stream of the same values.
        var set = GolombCodedSet.Build(Key, [[1], [2], [3]], 2, 4);
        var values = set.GetHashedValues();
        var expectedBits = new System.Text.StringBuilder();
        ulong last = 0;
        foreach (var v in values)
        {
            var delta = v - last;
            expectedBits.Append('1', (int)(delta >> 2)).Append('0').Append(Convert.ToString((int)(delta & 3), 2).PadLeft(2, '0'));
            last = v;
        }
        while (expectedBits.Length % 8 != 0)
        {
            expectedBits.Append('0');
        }
        var actualBits = string.Concat(set.Encoded[1..].ToArray().Select(b => Convert.ToString(b, 2).PadLeft(8, '0')));
        Assert.Equal(expectedBits.ToString(), actualBits);
    }
}
