using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;

namespace Coinshard.Electrum.Headers;

/// <summary>A merkle proof that a header is in the chain committed to by a checkpoint root.</summary>
/// <param name="Branch">Sibling hashes from the leaf up (internal byte order; sent as display hex).</param>
/// <param name="Root">Merkle root of the block hashes of heights 0 … cp_height.</param>
public sealed record HeaderProof(IReadOnlyList<Hash256> Branch, Hash256 Root);

/// <summary>
/// Builds <c>cp_height</c> proofs for <c>blockchain.block.header(s)</c>: the merkle branch of a block
/// hash within the tree over the hashes of all blocks 0 … cp_height (Bitcoin's merkle rule, odd
/// levels duplicate their last node).
/// </summary>
/// <remarks>
/// Hashing every header up to a mainnet checkpoint per request would cost ~900,000 hashes. Instead
/// the roots of complete, aligned chunks of 2^k headers are cached (a chunk's subtree is the same in
/// every tree that contains it whole), so a proof reads one chunk of headers and hashes the chunk
/// roots. A reorg invalidates the chunks at and above the fork height.
/// </remarks>
public sealed class HeaderCheckpointProver
{
    /// <summary>Reads up to count consecutive 80-byte headers starting at a height.</summary>
    public delegate Task<IReadOnlyList<byte[]>> HeaderReader(int fromHeight, int count, CancellationToken cancellationToken);

    private readonly HeaderReader _read;
    private readonly int _chunkBits;
    private readonly int _chunkSize;
    private readonly Dictionary<int, Hash256> _chunkRoots = [];
    private readonly Lock _gate = new();

    /// <summary>Creates a prover reading headers through <paramref name="read"/>; chunks of 2^<paramref name="chunkBits"/> headers.</summary>
    public HeaderCheckpointProver(HeaderReader read, int chunkBits = 11)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBits, 20);
        _read = read;
        _chunkBits = chunkBits;
        _chunkSize = 1 << chunkBits;
    }

    /// <summary>Forgets cached chunk roots covering <paramref name="height"/> and above (after a reorg).</summary>
    public void InvalidateFrom(int height)
    {
        var firstChunk = Math.Max(0, height) >> _chunkBits;
        lock (_gate)
        {
            foreach (var chunk in _chunkRoots.Keys.Where(c => c >= firstChunk).ToList())
            {
                _chunkRoots.Remove(chunk);
            }
        }
    }

    /// <summary>The proof for the block at <paramref name="height"/> against checkpoint <paramref name="cpHeight"/> (height ≤ cpHeight ≤ tip, checked by the caller).</summary>
    public async Task<HeaderProof> ProveAsync(int height, int cpHeight, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(cpHeight, height);

        var leafCount = cpHeight + 1;
        var lastChunk = cpHeight >> _chunkBits;
        if (lastChunk == 0)
        {
            // One chunk: the whole tree is small; plain merkle over the leaves.
            var leaves = await ReadHashesAsync(0, leafCount, cancellationToken).ConfigureAwait(false);
            var tree = new MerkleTree(leaves);
            return new HeaderProof(tree.GetBranch(height), tree.Root);
        }

        var chunk = height >> _chunkBits;
        var chunkStart = chunk << _chunkBits;
        var chunkLeaves = await ReadHashesAsync(chunkStart, Math.Min(_chunkSize, leafCount - chunkStart), cancellationToken).ConfigureAwait(false);
        var branch = FixedDepthBranch(chunkLeaves, height - chunkStart, _chunkBits, out var chunkRoot);

        var roots = new Hash256[lastChunk + 1];
        for (var c = 0; c <= lastChunk; c++)
        {
            roots[c] = c == chunk ? chunkRoot : await ChunkRootAsync(c, leafCount, cancellationToken).ConfigureAwait(false);
        }
        var top = new MerkleTree(roots);
        branch.AddRange(top.GetBranch(chunk));
        return new HeaderProof(branch, top.Root);
    }

    private async Task<Hash256> ChunkRootAsync(int chunk, int leafCount, CancellationToken cancellationToken)
    {
        var start = chunk << _chunkBits;
        var complete = start + _chunkSize <= leafCount;
        if (complete)
        {
            lock (_gate)
            {
                if (_chunkRoots.TryGetValue(chunk, out var cached))
                {
                    return cached;
                }
            }
        }
        var leaves = await ReadHashesAsync(start, Math.Min(_chunkSize, leafCount - start), cancellationToken).ConfigureAwait(false);
        FixedDepthBranch(leaves, 0, _chunkBits, out var root);
        if (complete)
        {
            lock (_gate)
            {
                _chunkRoots[chunk] = root;
            }
        }
        return root;
    }

    private async Task<Hash256[]> ReadHashesAsync(int from, int count, CancellationToken cancellationToken)
    {
        var headers = await _read(from, count, cancellationToken).ConfigureAwait(false);
        if (headers.Count != count)
        {
            throw new InvalidOperationException($"headers {from}..{from + count - 1} are not all stored (got {headers.Count}); the chain changed during the request");
        }
        var hashes = new Hash256[count];
        for (var i = 0; i < count; i++)
        {
            hashes[i] = Hashes.DoubleSha256(headers[i]);
        }
        return hashes;
    }

    /// <summary>
    /// Branch of leaf <paramref name="index"/> in a subtree of exactly <paramref name="depth"/> levels,
    /// duplicating the last node of odd levels (equal to the same subtree inside a larger Bitcoin tree).
    /// </summary>
    private static List<Hash256> FixedDepthBranch(Hash256[] leaves, int index, int depth, out Hash256 root)
    {
        var branch = new List<Hash256>(depth);
        var level = leaves;
        for (var d = 0; d < depth; d++)
        {
            var sibling = index ^ 1;
            branch.Add(sibling < level.Length ? level[sibling] : level[index]);
            var next = new Hash256[(level.Length + 1) / 2];
            for (var i = 0; i < next.Length; i++)
            {
                var left = level[2 * i];
                var right = 2 * i + 1 < level.Length ? level[2 * i + 1] : left;
                next[i] = MerkleTree.HashPair(left, right);
            }
            level = next;
            index >>= 1;
        }
        root = level[0];
        return branch;
    }
}
