using Coinshard.Chain.Hashing;

namespace Coinshard.TestSupport.Chains;

/// <summary>A block the node refused in <c>submitblock</c>.</summary>
public sealed class BlockRejectedException(string node, int height, Hash256 hash, string reason)
    : Exception($"node {node} rejected block {height} ({hash}): {reason}")
{
    /// <summary>Height of the block.</summary>
    public int Height { get; } = height;

    /// <summary>Hash of the block.</summary>
    public Hash256 Hash { get; } = hash;

    /// <summary>The node's answer (e.g. "bad-txns-inputs-missingorspent", "duplicate").</summary>
    public string Reason { get; } = reason;
}
