using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;

namespace Coinshard.Storage;

/// <summary>What a change-feed row records.</summary>
public enum ChangeKind
{
    /// <summary>A block was connected at the row's height.</summary>
    Connect,

    /// <summary>The block at the row's height was disconnected (the tip moved to its parent).</summary>
    Disconnect,
}

/// <summary>
/// One change-feed row: readers on other nodes poll "after seq N" to learn which scripthashes
/// to re-notify without scanning blocks themselves.
/// </summary>
/// <param name="Seq">Monotonic sequence number (gaps are possible; order is what counts).</param>
/// <param name="Kind">Connect or disconnect.</param>
/// <param name="Height">Height of the block connected or disconnected.</param>
/// <param name="BlockHash">Hash of that block.</param>
/// <param name="TouchedKeys">Sorted, distinct scripthash keys whose coins or history changed.</param>
/// <param name="TimeUnixMs">When it was written (store clock), Unix milliseconds.</param>
public sealed record ChainChange(
    long Seq,
    ChangeKind Kind,
    int Height,
    Hash256 BlockHash,
    IReadOnlyList<ulong> TouchedKeys,
    long TimeUnixMs);

/// <summary>A page of the change feed.</summary>
/// <param name="Changes">Rows after the requested seq, in seq order.</param>
/// <param name="MissedChanges">
/// True when rows after the requested seq were already pruned: the reader fell too far behind and
/// must resynchronize everything it caches instead of applying these rows.
/// </param>
/// <param name="LatestSeq">The newest seq in the feed (0 when empty): where a fresh reader starts.</param>
public sealed record ChangeFeedPage(IReadOnlyList<ChainChange> Changes, bool MissedChanges, long LatestSeq);

/// <summary>What disconnecting the tip changed, for notifications.</summary>
/// <param name="Change">The change-feed row written.</param>
/// <param name="NewTip">The tip after the disconnect (null when the chain is now empty).</param>
/// <param name="Restored">Coins the block had spent, now unspent again.</param>
/// <param name="Removed">Coins the block had created, now gone.</param>
public sealed record DisconnectResult(
    ChainChange Change,
    ChainTip? NewTip,
    IReadOnlyList<StoredCoin> Restored,
    IReadOnlyList<StoredCoin> Removed);
