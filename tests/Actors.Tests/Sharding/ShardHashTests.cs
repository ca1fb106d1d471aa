using System.Text;

using Coinshard.Actors.Sharding;

using Xunit;

namespace Coinshard.Actors.Tests.Sharding;

public sealed class ShardHashTests
{
    // SHA-256 test vectors from FIPS 180-2 / NIST CSRC examples: SHA-256("abc") = ba7816bf8f01cfea...,
    // SHA-256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") = 248d6a61d20638b8...,
    // SHA-256("") = e3b0c44298fc1c14.... The routing hash is the first 8 digest bytes read little-endian.
    [Theory]
    [InlineData("abc", 0xeacf018fbf1678baUL)]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0xb83806d2616a8d24UL)]
    [InlineData("", 0x141cfc9842c4b0e3UL)]
    public void Hash64_is_the_little_endian_head_of_the_SHA256_digest(string text, ulong expected)
    {
        Assert.Equal(expected, ShardHash.Hash64(Encoding.ASCII.GetBytes(text)));
    }

    // Fixed vectors: if any of these change, every deployment's key → shard map changes. Indices are the
    // hashes above (and SHA-256 of the 32-byte keys, computed independently with Python's hashlib) mod N.
    [Theory]
    [InlineData("616263", 1, 0)] // "abc"
    [InlineData("616263", 7, 0)]
    [InlineData("616263", 16, 10)]
    [InlineData("616263", 64, 58)]
    [InlineData("616263", 1000, 874)]
    [InlineData("", 7, 5)]
    [InlineData("", 16, 3)]
    [InlineData("", 1000, 227)]
    // The Electrum protocol documentation's example scripthash, as 32 key bytes.
    [InlineData("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161", 7, 4)]
    [InlineData("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161", 16, 0)]
    [InlineData("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161", 64, 32)]
    [InlineData("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161", 1000, 928)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", 16, 6)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", 1000, 310)]
    public void Known_keys_map_to_known_shards(string keyHex, int shardCount, int expectedShard)
    {
        Assert.Equal(expectedShard, ShardHash.ShardIndex(Convert.FromHexString(keyHex), shardCount));
    }

    [Fact]
    public void Structured_keys_spread_evenly_over_the_shards()
    {
        // Consecutive little-endian integers: the kind of structured key that defeats naive hashes mod 2^k.
        const int shards = 16;
        const int keys = 16_000;
        var counts = new int[shards];
        var key = new byte[4];
        for (var i = 0; i < keys; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(key, i);
            counts[ShardHash.ShardIndex(key, shards)]++;
        }

        // Expected 1000 each; this deterministic input gives 943 … 1073.
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void The_shard_count_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardHash.ShardIndex([1, 2, 3], 0));
    }
}
