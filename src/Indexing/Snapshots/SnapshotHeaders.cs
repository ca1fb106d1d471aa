using Coinshard.Backends;
using Coinshard.Chain;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.ProofOfWork;

namespace Coinshard.Indexing.Snapshots;

/// <summary>
/// The snapshot's place in the backend's chain: finds the base block's height (the older file format does not
/// record it) and streams the headers from genesis up to it, each checked to link to its parent, to have valid
/// proof of work (scrypt for Litecoin) and to hash to the node's block hash at its height.
/// </summary>
internal sealed class SnapshotHeaders(IChainInfo backend, Network network, int batchSize, int concurrency)
{
    private const int HeaderSize = 80;

    /// <summary>The height of <paramref name="baseHash"/> in the backend's best chain, searched down from the tip (snapshots are recent).</summary>
    /// <exception cref="SnapshotLoadException">The block is not in the backend's best chain.</exception>
    public async Task<int> LocateAsync(Hash256 baseHash, CancellationToken ct)
    {
        var tip = (await backend.GetChainStateAsync(ct).ConfigureAwait(false)).Tip;
        for (var top = tip.Height; top >= 0; top -= batchSize)
        {
            var from = Math.Max(0, top - batchSize + 1);
            var hashes = await backend.GetBlockHashesAsync(from, top - from + 1, ct).ConfigureAwait(false);
            for (var i = hashes.Count - 1; i >= 0; i--)
            {
                if (hashes[i] == baseHash)
                {
                    return from + i;
                }
            }
        }
        throw new SnapshotLoadException(
            $"the snapshot's base block {baseHash} is not in the backend's best chain (tip {tip.Height} {tip.Hash}): " +
            $"the node must be synced past the snapshot's block, on the same {network.Name} chain");
    }

    /// <summary>Headers 0..<paramref name="baseHeight"/> in batches, checked; the last one hashes to <paramref name="baseHash"/>.</summary>
    /// <exception cref="SnapshotLoadException">A header does not link, lacks proof of work or is not the node's block at its height.</exception>
    public async IAsyncEnumerable<(int FirstHeight, IReadOnlyList<byte[]> Headers)> FetchAsync(
        int baseHeight, Hash256 baseHash, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var powLimit = ProofOfWorkValidator.GetPowLimit(network);
        Hash256? previous = null;
        for (var from = 0; from <= baseHeight; from += batchSize)
        {
            var count = Math.Min(batchSize, baseHeight - from + 1);
            var hashes = await backend.GetBlockHashesAsync(from, count, ct).ConfigureAwait(false);
            if (hashes.Count != count)
            {
                throw new SnapshotLoadException($"the backend's chain ended at height {from + hashes.Count - 1} while fetching headers up to the snapshot base {baseHeight} (a reorg?)");
            }
            var headers = new byte[count][];
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
                headers[i] = await backend.GetBlockHeaderAsync(hashes[i], token).ConfigureAwait(false)).ConfigureAwait(false);
            var powFailure = -1;
            Parallel.For(0, count, new ParallelOptions { CancellationToken = ct }, (i, state) =>
            {
                if (headers[i].Length != HeaderSize || !ProofOfWorkValidator.CheckProofOfWork(
                    network.PowAlgorithm == PowAlgorithm.Scrypt ? ProofOfWorkValidator.ScryptHash(headers[i]) : Hashes.DoubleSha256(headers[i]),
                    BlockHeader.Parse(headers[i]).Bits, powLimit))
                {
                    Interlocked.CompareExchange(ref powFailure, i, -1);
                    state.Stop();
                }
            });
            if (powFailure >= 0)
            {
                throw new SnapshotLoadException($"the backend's header at height {from + powFailure} ({hashes[powFailure]}) has no valid proof of work for {network.Name}");
            }
            for (var i = 0; i < count; i++)
            {
                var hash = Hashes.DoubleSha256(headers[i]);
                if (hash != hashes[i])
                {
                    throw new SnapshotLoadException($"the backend's header at height {from + i} hashes to {hash}, not to its block hash {hashes[i]}");
                }
                var parent = new Hash256(headers[i].AsSpan(4, 32));
                if (previous is { } p && parent != p)
                {
                    throw new SnapshotLoadException($"the backend's header at height {from + i} does not link to the header below it (parent {parent}, expected {p}; a reorg?)");
                }
                previous = hash;
            }
            yield return (from, headers);
        }
        if (previous != baseHash)
        {
            throw new SnapshotLoadException($"the backend's block at height {baseHeight} is {previous}, not the snapshot's base block {baseHash} (a reorg while loading?)");
        }
    }
}
