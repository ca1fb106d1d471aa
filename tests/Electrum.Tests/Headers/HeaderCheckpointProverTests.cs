using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Headers;

using Xunit;

namespace Coinshard.Electrum.Tests.Headers;

public class HeaderCheckpointProverTests
{
    /// <summary>Distinct fake 80-byte headers; the prover only hashes them.</summary>
    private static List<byte[]> MakeHeaders(int count, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var header = new byte[80];
            random.NextBytes(header);
            return header;
        }).ToList();
    }

    private static HeaderCheckpointProver Prover(List<byte[]> headers, int chunkBits, Action? onRead = null) =>
        new((from, count, _) =>
        {
            onRead?.Invoke();
            return Task.FromResult<IReadOnlyList<byte[]>>(headers.Skip(from).Take(count).ToList());
        }, chunkBits);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(100)]
    public async Task Every_proof_equals_the_plain_merkle_tree_over_all_block_hashes(int leafCount)
    {
        var headers = MakeHeaders(leafCount, leafCount);
        var hashes = headers.Select(h => Hashes.DoubleSha256(h)).ToArray();
        var expected = new MerkleTree(hashes);

        foreach (var chunkBits in new[] { 1, 2, 3 })
        {
            var prover = Prover(headers, chunkBits);
            for (var height = 0; height < leafCount; height++)
            {
                var proof = await prover.ProveAsync(height, leafCount - 1);

                Assert.Equal(expected.Root, proof.Root);
                Assert.Equal(expected.GetBranch(height), proof.Branch);
                Assert.True(MerkleTree.VerifyBranch(hashes[height], height, proof.Branch.ToArray(), proof.Root));
            }
        }
    }

    [Fact]
    public async Task Complete_chunks_are_read_once_and_recomputed_after_invalidation()
    {
        var headers = MakeHeaders(64);
        var reads = 0;
        var prover = Prover(headers, chunkBits: 3, () => reads++);

        await prover.ProveAsync(5, 63);
        var first = reads;
        await prover.ProveAsync(6, 63);
        Assert.Equal(1, reads - first); // only the leaf's own chunk is read again

        // A reorg replaces header 40: proofs must reflect the new chain, not the cached chunk.
        headers[40] = MakeHeaders(1, seed: 99)[0];
        prover.InvalidateFrom(40);
        var proof = await prover.ProveAsync(5, 63);
        var expected = new MerkleTree(headers.Select(h => Hashes.DoubleSha256(h)));
        Assert.Equal(expected.Root, proof.Root);
    }

    [Fact]
    public async Task Missing_headers_are_an_error_not_a_wrong_proof()
    {
        var prover = Prover(MakeHeaders(10), chunkBits: 2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => prover.ProveAsync(3, 20));
    }
}
