using Coinshard.Chain.Hashing;

namespace Coinshard.Storage;

/// <summary>What a bulk load is about to load: the snapshot's base block and declared size.</summary>
/// <param name="BaseHeight">Height of the snapshot's base block: the tip once the load completes.</param>
/// <param name="BaseHash">Hash of the base block; the last header added must hash to it.</param>
/// <param name="SnapshotCoins">Coin count the snapshot declares; added plus skipped coins must equal it at completion.</param>
/// <param name="DustLimit">Coins below this many satoshis are skipped by the caller (0: none); recorded for status.</param>
public sealed record BulkLoadTarget(int BaseHeight, Hash256 BaseHash, long SnapshotCoins, long DustLimit = 0)
{
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(BaseHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(SnapshotCoins);
        ArgumentOutOfRangeException.ThrowIfNegative(DustLimit);
        if (BaseHeight >= CoinHeights.Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseHeight), BaseHeight, $"heights up to {CoinHeights.Limit - 1} are supported");
        }
    }
}

/// <summary>Where a currency's snapshot load stands.</summary>
public enum BulkLoadState
{
    /// <summary>A load began and has not completed: it is running, or it was interrupted and must be aborted (nothing is served meanwhile).</summary>
    Loading,

    /// <summary>The index was loaded from a snapshot and serves from its base block on.</summary>
    Complete,
}

/// <summary>The recorded state of a currency's snapshot load (for status pages and restart decisions).</summary>
/// <param name="State">Loading (running or interrupted) or complete.</param>
/// <param name="Target">The base block, declared coin count and dust limit the load was begun with.</param>
/// <param name="CoinsAdded">Coins written so far (loading) or in total (complete).</param>
/// <param name="CoinsSkipped">Coins the caller skipped below the dust limit (known at completion; 0 while loading).</param>
/// <param name="StartedAtUnixMs">When the load began (store clock).</param>
/// <param name="CompletedAtUnixMs">When it completed, or null.</param>
public sealed record BulkLoadStatus(
    BulkLoadState State,
    BulkLoadTarget Target,
    long CoinsAdded,
    long CoinsSkipped,
    long StartedAtUnixMs,
    long? CompletedAtUnixMs);

/// <summary>Heights the store can hold (coin rows pack height and coinbase into 25 bits).</summary>
internal static class CoinHeights
{
    public const int Limit = 1 << 24;
}
