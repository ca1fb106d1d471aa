using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Backends;

/// <summary>What a backend knows about its chain right now; the follower's starting point and the health page's figures.</summary>
/// <param name="Network">The network the backend is on (verified against the configured one).</param>
/// <param name="Tip">The best block.</param>
/// <param name="Headers">Height of the best known header; above <see cref="ChainTip.Height"/> while syncing.</param>
/// <param name="InitialBlockDownload">True while the node is still catching up; its data is then not current.</param>
/// <param name="MedianTime">Median time past of the tip.</param>
/// <param name="VerificationProgress">The node's estimate of sync progress, 0 to 1.</param>
/// <param name="Pruned">True when old blocks are deleted, so raw blocks below the prune height are unavailable.</param>
public sealed record ChainState(
    Network Network,
    ChainTip Tip,
    int Headers,
    bool InitialBlockDownload,
    DateTimeOffset MedianTime,
    double VerificationProgress,
    bool Pruned);
