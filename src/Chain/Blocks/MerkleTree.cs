using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Blocks;

/// <summary>
/// Bitcoin's transaction merkle tree (SHA-256d of concatenated pairs, an odd last node paired with
/// itself). Built once, it answers Electrum's <c>blockchain.transaction.get_merkle</c> for any
/// position in O(log n). The static helpers compute a root without keeping the tree and verify
/// branches.
/// </summary>
public sealed class MerkleTree
{
    // _levels[0] = leaves; each next level has ceil(n/2) nodes; the last level has one node.
    private readonly Hash256[][] _levels;

    /// <summary>Builds the tree over <paramref name="leaves"/> (txids in block order).</summary>
    public MerkleTree(IEnumerable<Hash256> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var level = leaves.ToArray();
        var levels = new List<Hash256[]> { level };
        var mutated = false;
        while (level.Length > 1)
        {
            mutated |= HasEqualPair(level);
            var next = new Hash256[(level.Length + 1) / 2];
            for (var i = 0; i < next.Length; i++)
            {
                var left = level[2 * i];
                var right = 2 * i + 1 < level.Length ? level[2 * i + 1] : left;
                next[i] = HashPair(left, right);
            }
            levels.Add(next);
            level = next;
        }
        _levels = [.. levels];
        IsMutated = mutated;
    }

    /// <summary>Number of leaves.</summary>
    public int Count => _levels[0].Length;

    /// <summary>The merkle root (the zero hash for an empty tree, as in Core).</summary>
    public Hash256 Root => _levels[^1].Length == 0 ? Hash256.Zero : _levels[^1][0];

    /// <summary>
    /// True when some level has two equal adjacent nodes: the CVE-2012-2459 ambiguity, where a
    /// different transaction list hashes to the same root (Core's "mutated" flag).
    /// </summary>
    public bool IsMutated { get; }

    /// <summary>
    /// The merkle branch of leaf <paramref name="index"/>: sibling hashes from the leaf level up to
    /// just below the root. This is Electrum's <c>blockchain.transaction.get_merkle</c> "merkle"
    /// list; each hash's <see cref="Hash256.ToString"/> is the hex Electrum sends.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a leaf position.</exception>
    public Hash256[] GetBranch(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var branch = new Hash256[_levels.Length - 1];
        for (var depth = 0; depth < branch.Length; depth++)
        {
            var level = _levels[depth];
            var sibling = index ^ 1;
            branch[depth] = sibling < level.Length ? level[sibling] : level[index];
            index >>= 1;
        }
        return branch;
    }

    /// <summary>
    /// Computes the root exactly like Core's <c>ComputeMerkleRoot</c>, without keeping the tree.
    /// <paramref name="mutated"/> is set when a level has two equal adjacent nodes (CVE-2012-2459).
    /// </summary>
    public static Hash256 ComputeRoot(ReadOnlySpan<Hash256> leaves, out bool mutated)
    {
        mutated = false;
        if (leaves.IsEmpty)
        {
            return Hash256.Zero;
        }
        var level = leaves.ToArray();
        var length = level.Length;
        while (length > 1)
        {
            mutated |= HasEqualPair(level.AsSpan(0, length));
            var next = (length + 1) / 2;
            for (var i = 0; i < next; i++)
            {
                var left = level[2 * i];
                var right = 2 * i + 1 < length ? level[2 * i + 1] : left;
                level[i] = HashPair(left, right);
            }
            length = next;
        }
        return level[0];
    }

    /// <summary>
    /// Folds a branch from <paramref name="leaf"/> at position <paramref name="index"/> up to the
    /// root it implies (what an Electrum client does with <c>get_merkle</c>).
    /// </summary>
    public static Hash256 ComputeRootFromBranch(Hash256 leaf, int index, ReadOnlySpan<Hash256> branch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var hash = leaf;
        foreach (var sibling in branch)
        {
            hash = (index & 1) != 0 ? HashPair(sibling, hash) : HashPair(hash, sibling);
            index >>= 1;
        }
        return hash;
    }

    /// <summary>True when <paramref name="branch"/> proves <paramref name="leaf"/> at <paramref name="index"/> under <paramref name="root"/>.</summary>
    public static bool VerifyBranch(Hash256 leaf, int index, ReadOnlySpan<Hash256> branch, Hash256 root)
    {
        // A branch longer than 31 levels cannot belong to an index that fits an int.
        if (index < 0 || branch.Length > 31 || (branch.Length < 31 && index >> branch.Length != 0))
        {
            return false;
        }
        return ComputeRootFromBranch(leaf, index, branch) == root;
    }

    /// <summary>SHA-256d of the two 32-byte hashes concatenated (an inner merkle node).</summary>
    public static Hash256 HashPair(Hash256 left, Hash256 right)
    {
        Span<byte> pair = stackalloc byte[2 * Hash256.Size];
        left.CopyTo(pair);
        right.CopyTo(pair[Hash256.Size..]);
        return Hashes.DoubleSha256(pair);
    }

    private static bool HasEqualPair(ReadOnlySpan<Hash256> level)
    {
        for (var pos = 0; pos + 1 < level.Length; pos += 2)
        {
            if (level[pos] == level[pos + 1])
            {
                return true;
            }
        }
        return false;
    }
}
