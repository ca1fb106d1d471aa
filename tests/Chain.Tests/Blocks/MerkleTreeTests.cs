using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Blocks;

public class MerkleTreeTests
{
    [Fact]
    public void Empty_tree_has_the_zero_root_and_a_single_leaf_is_its_own_root()
    {
        Assert.Equal(Hash256.Zero, MerkleTree.ComputeRoot([], out var mutated));
        Assert.False(mutated);
        var leaf = Hashes.DoubleSha256([1]);
        var tree = new MerkleTree([leaf]);
        Assert.Equal(leaf, tree.Root);
        Assert.Empty(tree.GetBranch(0));
        Assert.True(MerkleTree.VerifyBranch(leaf, 0, [], leaf));
    }

    [Fact]
    public void Two_leaves_hash_to_the_double_sha256_of_their_concatenation()
    {
        var a = Hashes.DoubleSha256([1]);
        var b = Hashes.DoubleSha256([2]);
        var concatenated = a.ToArray().Concat(b.ToArray()).ToArray();
        Assert.Equal(Hashes.DoubleSha256(concatenated), MerkleTree.ComputeRoot([a, b], out _));
        Assert.Equal([b], new MerkleTree([a, b]).GetBranch(0));
        Assert.Equal([a], new MerkleTree([a, b]).GetBranch(1));
    }

    [Fact]
    public void Duplicating_the_last_transactions_keeps_the_root_and_is_reported_as_mutated()
    {
        // CVE-2012-2459, as in Core's merkle_tests: real txids from block 413567 (1557, an odd count).
        var block = Block.Parse(Fixture.Bytes("bitcoin-core/block413567.raw"), Currency.Bitcoin);
        var txIds = block.GetTxIds();
        var root = MerkleTree.ComputeRoot(txIds, out var mutated);
        Assert.False(mutated);

        var duplicated = txIds.Append(txIds[^1]).ToArray();
        Assert.Equal(root, MerkleTree.ComputeRoot(duplicated, out var duplicatedMutated));
        Assert.True(duplicatedMutated);
        Assert.True(new MerkleTree(duplicated).IsMutated);
        Assert.False(new MerkleTree(txIds).IsMutated);

        // Reordering transactions does change the root.
        var swapped = (Hash256[])txIds.Clone();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        Assert.NotEqual(root, MerkleTree.ComputeRoot(swapped, out _));
    }

    [Fact]
    public void Branch_of_the_odd_last_leaf_uses_itself_as_sibling()
    {
        var leaves = Enumerable.Range(0, 5).Select(i => Hashes.DoubleSha256([(byte)i])).ToArray();
        var tree = new MerkleTree(leaves);
        var branch = tree.GetBranch(4);
        Assert.Equal(leaves[4], branch[0]);
        Assert.Equal(3, branch.Length);
        Assert.True(MerkleTree.VerifyBranch(leaves[4], 4, branch, tree.Root));
        Assert.False(MerkleTree.VerifyBranch(leaves[3], 4, branch, tree.Root));
        Assert.False(MerkleTree.VerifyBranch(leaves[4], 8, branch, tree.Root));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetBranch(5));
    }
}
