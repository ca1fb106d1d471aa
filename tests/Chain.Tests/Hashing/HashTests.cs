using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;

using Xunit;

namespace Coinshard.Chain.Tests.Hashing;

public class HashTests
{
    [Fact]
    public void Hash256_prints_and_parses_display_order()
    {
        // Bitcoin's genesis block: its header hash in internal order ends with the zero bytes.
        var header = Hex.Decode(
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
        var hash = Hashes.DoubleSha256(header);
        Assert.Equal("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", hash.ToString());
        Assert.Equal(0, hash.ToArray()[31]);
        Assert.Equal(hash, Hash256.Parse(hash.ToString()));
        Assert.Equal(hash, Hash256.Parse(hash.ToString().ToUpperInvariant()));
    }

    [Fact]
    public void Hash256_rejects_bad_text()
    {
        Assert.Throws<InvalidEncodingException>(() => Hash256.Parse("00"));
        Assert.Throws<InvalidEncodingException>(() => Hash256.Parse(new string('g', 64)));
        Assert.False(Hash256.TryParse(new string('0', 63) + "x", out _));
    }

    [Fact]
    public void Hash256_compares_like_core_uint256_memcmp()
    {
        var low = new byte[32];
        var high = new byte[32];
        low[31] = 0xFF; // last internal byte does not dominate a memcmp
        high[0] = 0x01;
        Assert.True(new Hash256(low) < new Hash256(high));
        Assert.True(Hash256.Zero < new Hash256(high));
        Assert.True(Hash256.Zero.IsZero);
        Assert.Equal(0x01UL, new Hash256(high).Low64);
        Assert.Equal(0UL, new Hash256(low).Low64);
    }

    [Fact]
    public void Display_order_equals_ordinal_comparison_of_the_display_hex()
    {
        var random = new Random(7);
        var hashes = Enumerable.Range(0, 200).Select(_ =>
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            if (random.Next(3) == 0)
            {
                bytes[31] = 0x80; // many equal leading display bytes exercise the later words
            }
            return new Hash256(bytes);
        }).ToList();

        var expected = hashes.OrderBy(h => h.ToString(), StringComparer.Ordinal).ToList();
        var actual = hashes.OrderBy(h => h, Hash256.DisplayOrder).ToList();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Sha256_and_hash160_known_values()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex.Encode(Hashes.Sha256([])));
        // HASH160 of the compressed generator point (a widely published value: 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH).
        var g = Hex.Decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        Assert.Equal("751e76e8199196d454941c45d1b3a323f1433bd6", Hex.Encode(Hashes.Hash160(g)));
    }

    [Fact]
    public void Tagged_hash_matches_bip340_definition()
    {
        var tag = System.Text.Encoding.UTF8.GetBytes("TapLeaf");
        var tagHash = Hashes.Sha256(tag);
        var expected = Hashes.Sha256([.. tagHash, .. tagHash, 0xC0, 0x01, 0x51]);
        Assert.Equal(expected, Hashes.TaggedHash("TapLeaf", [0xC0, 0x01, 0x51]));
    }

    [Fact]
    public void SipHash24_reference_vectors()
    {
        // From the SipHash paper's reference vectors (key 00..0f, message 00..len-1).
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var hasher = new SipHasher(key);
        Assert.Equal(0x726fdb47dd0e0e31UL, hasher.Hash([]));
        Assert.Equal(0xa129ca6149be45e5UL, hasher.Hash(Enumerable.Range(0, 15).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x726fdb47dd0e0e31UL, hasher.Hash([])); // state restored between calls
    }
}
