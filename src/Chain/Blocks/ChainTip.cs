using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Blocks;

/// <summary>A chain's last block: what a node reports as its tip and where the index resumes.</summary>
/// <param name="Height">Its height.</param>
/// <param name="Hash">Its hash (internal byte order; <c>ToString()</c> gives display hex).</param>
public sealed record ChainTip(int Height, Hash256 Hash);
