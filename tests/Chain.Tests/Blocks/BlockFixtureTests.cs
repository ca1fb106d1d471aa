using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.ProofOfWork;

using Xunit;

namespace Coinshard.Chain.Tests.Blocks;

/// <summary>Real blocks: Bitcoin 413567, Litecoin 878439, and Core's BIP158 testnet3 blocks.</summary>
public class BlockFixtureTests
{
    [Fact]
    public void Bitcoin_block_413567_parses_round_trips_and_proves_work()
    {
        var raw = Fixture.Bytes("bitcoin-core/block413567.raw");
        var block = Block.Parse(raw, Network.BitcoinMainnet);

        Assert.Equal("0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069", block.Hash.ToString());
        Assert.Equal(1557, block.Transactions.Count);
        Assert.True(block.Transactions[0].IsCoinbase);
        Assert.All(block.Transactions.Skip(1), t => Assert.False(t.IsCoinbase));
        Assert.All(block.Transactions, t => Assert.False(t.HasWitness));
        Assert.Equal(raw, block.ToArray());
        Assert.Equal(raw.Length, block.Size);
        Assert.Equal(4L * raw.Length, block.Weight);

        Assert.Equal(block.Header.MerkleRoot, block.ComputeMerkleRoot(out var mutated));
        Assert.False(mutated);
        AssertEveryBranchVerifies(block);

        Assert.True(ProofOfWorkValidator.CheckProofOfWork(block.Header, Network.BitcoinMainnet));
        Assert.True(ProofOfWorkValidator.ToNumber(block.Hash) <= CompactTarget.Decode(block.Header.Bits));
    }

    [Fact]
    public void Litecoin_block_878439_parses_round_trips_and_proves_scrypt_work()
    {
        var raw = Fixture.Bytes("litecoin/block413567.raw");
        var block = Block.Parse(raw, Network.LitecoinMainnet);

        Assert.Equal("0babe680f55a55d54339511226755f0837261da89a4e78eba4d6436a63026df8", block.Hash.ToString());
        Assert.Equal(3808, block.Transactions.Count);
        Assert.Null(block.Mweb);
        Assert.Equal(raw, block.ToArray());
        Assert.Equal(block.Header.MerkleRoot, block.ComputeMerkleRoot(out var mutated));
        Assert.False(mutated);

        // The block id is SHA-256d, but Litecoin's work is proven by scrypt: the id itself is far above target.
        var target = CompactTarget.Decode(block.Header.Bits);
        var scrypt = ProofOfWorkValidator.ComputePowHash(block.Header, PowAlgorithm.Scrypt);
        Assert.True(ProofOfWorkValidator.ToNumber(scrypt) <= target);
        Assert.True(ProofOfWorkValidator.ToNumber(block.Hash) > target);
        Assert.True(ProofOfWorkValidator.CheckProofOfWork(block.Header, Network.LitecoinMainnet));
        Assert.False(ProofOfWorkValidator.CheckProofOfWork(block.Header, Network.BitcoinMainnet));
    }

    public static TheoryData<int> FilterBlocks() => new(Enumerable.Range(0, FilterVectors().Count));

    [Theory]
    [MemberData(nameof(FilterBlocks))]
    public void Bip158_testnet3_block_parses_to_its_listed_hash_and_round_trips(int index)
    {
        var (height, hash, raw) = FilterVectors()[index];
        var block = Block.Parse(raw, Network.BitcoinTestnet3);
        Assert.Equal(hash, block.Hash.ToString());
        Assert.Equal(raw, block.ToArray());
        Assert.Equal(block.Header.MerkleRoot, block.ComputeMerkleRoot(out _));
        Assert.True(ProofOfWorkValidator.CheckProofOfWork(block.Header, Network.BitcoinTestnet3), $"height {height}");
        AssertEveryBranchVerifies(block);
    }

    [Fact]
    public void Bip158_vectors_include_segwit_blocks()
    {
        var witnessTransactions = FilterVectors()
            .Select(v => Block.Parse(v.Raw, Currency.Bitcoin))
            .SelectMany(b => b.Transactions)
            .Count(t => t.HasWitness);
        Assert.True(witnessTransactions > 0);
    }

    internal static List<(int Height, string Hash, byte[] Raw)> FilterVectors()
    {
        using var json = Fixture.Json("bitcoin-core/blockfilters.json");
        return json.RootElement.EnumerateArray()
            .Skip(1) // header row
            .Select(e => (e[0].GetInt32(), e[1].GetString()!, Hex.Decode(e[2].GetString()!)))
            .ToList();
    }

    private static void AssertEveryBranchVerifies(Block block)
    {
        var txIds = block.GetTxIds();
        var tree = new MerkleTree(txIds);
        Assert.Equal(block.Header.MerkleRoot, tree.Root);
        for (var i = 0; i < txIds.Length; i++)
        {
            var branch = tree.GetBranch(i);
            Assert.True(MerkleTree.VerifyBranch(txIds[i], i, branch, block.Header.MerkleRoot), $"branch of tx {i}");
            if (txIds.Length > 1)
            {
                var other = txIds[(i + 1) % txIds.Length];
                Assert.False(MerkleTree.VerifyBranch(other, i, branch, block.Header.MerkleRoot), $"foreign leaf accepted at {i}");
            }
        }
    }
}
