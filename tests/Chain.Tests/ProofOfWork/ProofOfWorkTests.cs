using System.Globalization;
using System.Numerics;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.ProofOfWork;

using Xunit;

namespace Coinshard.Chain.Tests.ProofOfWork;

public class ProofOfWorkTests
{
    // Bitcoin Core src/test/arith_uint256_tests.cpp, bignum_SetCompact: compact, target (hex),
    // GetCompact(negative) result, negative flag, overflow flag.
    [Theory]
    [InlineData(0x00000000u, "0", 0x00000000u, false, false)]
    [InlineData(0x00123456u, "0", 0x00000000u, false, false)]
    [InlineData(0x01003456u, "0", 0x00000000u, false, false)]
    [InlineData(0x02000056u, "0", 0x00000000u, false, false)]
    [InlineData(0x03000000u, "0", 0x00000000u, false, false)]
    [InlineData(0x04000000u, "0", 0x00000000u, false, false)]
    [InlineData(0x00923456u, "0", 0x00000000u, false, false)]
    [InlineData(0x01803456u, "0", 0x00000000u, false, false)]
    [InlineData(0x02800056u, "0", 0x00000000u, false, false)]
    [InlineData(0x03800000u, "0", 0x00000000u, false, false)]
    [InlineData(0x04800000u, "0", 0x00000000u, false, false)]
    [InlineData(0x01123456u, "12", 0x01120000u, false, false)]
    [InlineData(0x01fedcbau, "7e", 0x01fe0000u, true, false)]
    [InlineData(0x02123456u, "1234", 0x02123400u, false, false)]
    [InlineData(0x03123456u, "123456", 0x03123456u, false, false)]
    [InlineData(0x04123456u, "12345600", 0x04123456u, false, false)]
    [InlineData(0x04923456u, "12345600", 0x04923456u, true, false)]
    [InlineData(0x05009234u, "92340000", 0x05009234u, false, false)]
    [InlineData(0x20123456u, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456u, false, false)]
    public void Compact_decodes_and_encodes_like_core(uint compact, string targetHex, uint reencoded, bool negative, bool overflow)
    {
        var target = CompactTarget.Decode(compact, out var isNegative, out var isOverflow);
        Assert.Equal(BigInteger.Parse("0" + targetHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), target);
        Assert.Equal(negative, isNegative);
        Assert.Equal(overflow, isOverflow);
        Assert.Equal(reencoded, CompactTarget.Encode(target, negative));
    }

    [Fact]
    public void Compact_overflow_and_sign_bit_rules()
    {
        CompactTarget.Decode(0xff123456, out var negative, out var overflow);
        Assert.False(negative);
        Assert.True(overflow);
        // Core: never generate a compact with the 0x00800000 bit set.
        Assert.Equal(0x02008000u, CompactTarget.Encode(0x80));
    }

    [Fact]
    public void Block_work_matches_known_chain_work()
    {
        // Bitcoin's genesis block has chainwork 0x100010001; every regtest block adds 2.
        Assert.Equal(new BigInteger(0x100010001), ProofOfWorkValidator.GetBlockWork(0x1d00ffff));
        Assert.Equal(new BigInteger(2), ProofOfWorkValidator.GetBlockWork(0x207fffff));
        Assert.Equal(BigInteger.Zero, ProofOfWorkValidator.GetBlockWork(0x04923456)); // negative
        Assert.Equal(BigInteger.Zero, ProofOfWorkValidator.GetBlockWork(0xff123456)); // overflow
        Assert.Equal(BigInteger.Zero, ProofOfWorkValidator.GetBlockWork(0x01003456)); // zero
    }

    [Fact]
    public void Bitcoin_genesis_header_proves_work_and_a_changed_nonce_does_not()
    {
        var raw = Hex.Decode(
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
        var header = BlockHeader.Parse(raw);
        Assert.Equal(Network.BitcoinMainnet.GenesisHash, header.Hash);
        Assert.Equal(raw, header.ToArray());
        Assert.True(ProofOfWorkValidator.CheckProofOfWork(header, Network.BitcoinMainnet));

        var changed = new BlockHeader(header.Version, header.PreviousBlockHash, header.MerkleRoot, header.Time, header.Bits, header.Nonce + 1);
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(changed, Network.BitcoinMainnet));
    }

    [Fact]
    public void Litecoin_genesis_header_proves_scrypt_work()
    {
        // Litecoin chainparams: nTime 1317972665, nNonce 2084524493, nBits 0x1e0ffff0, version 1.
        var header = new BlockHeader(
            1, Hash256.Zero, Hash256.Parse("97ddfbbae6be97fd6cdf3e7ca13232a3afff2353e29badfab7f73011edd4ced9"), 1317972665, 0x1e0ffff0, 2084524493);
        Assert.Equal(Network.LitecoinMainnet.GenesisHash, header.Hash);
        Assert.True(ProofOfWorkValidator.CheckProofOfWork(header, Network.LitecoinMainnet));
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(header, Network.BitcoinMainnet));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void Scrypt_1024_1_1_equals_the_general_bouncycastle_scrypt(int length)
    {
        // BouncyCastle's general RFC 7914 implementation is the independent reference for our specialised one.
        var random = new Random(length + 1);
        for (var i = 0; i < 40; i++)
        {
            var password = new byte[length];
            var salt = new byte[i % 2 == 0 ? length : 80];
            random.NextBytes(password);
            random.NextBytes(salt);
            if (i % 2 == 0)
            {
                salt = password; // Litecoin's use: the header is both
            }
            var ours = new byte[32];
            Scrypt1024.Hash(password, salt, ours);
            Assert.Equal(Org.BouncyCastle.Crypto.Generators.SCrypt.Generate(password, salt, 1024, 1, 1, 32), ours);
        }
        Assert.Throws<ArgumentException>(() => Scrypt1024.Hash([1, 2, 3], [1, 2, 3], new byte[31]));
    }

    [Fact]
    public void Targets_that_are_negative_zero_overflowing_or_above_the_limit_fail()
    {
        var limit = ProofOfWorkValidator.GetPowLimit(Network.BitcoinMainnet);
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(Hash256.Zero, 0x04923456, limit));
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(Hash256.Zero, 0x01003456, limit));
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(Hash256.Zero, 0xff123456, limit));
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(Hash256.Zero, 0x207fffff, limit));
        Assert.True(ProofOfWorkValidator.CheckProofOfWork(Hash256.Zero, 0x207fffff, ProofOfWorkValidator.GetPowLimit(Network.BitcoinRegtest)));
        Assert.Equal(0x1d00ffffu, CompactTarget.Encode(limit));
        Assert.Equal(0x207fffffu, CompactTarget.Encode(ProofOfWorkValidator.GetPowLimit(Network.LitecoinRegtest)));
        Assert.Equal(0x1e0fffffu, CompactTarget.Encode(ProofOfWorkValidator.GetPowLimit(Network.LitecoinMainnet)));
    }
}
