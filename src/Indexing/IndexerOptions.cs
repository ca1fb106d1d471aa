using Coinshard.Chain.Networks;
using Coinshard.Storage;

namespace Coinshard.Indexing;

/// <summary>How one currency is indexed: the per-currency section of the node's configuration.</summary>
/// <param name="Network">The network the backend must be on; a backend on another network faults the follower.</param>
public sealed record IndexerOptions(Network Network)
{
    /// <summary>utxo or full.</summary>
    public IndexMode Mode { get; init; } = IndexMode.Utxo;

    /// <summary>First block to index when the store is empty (null: genesis). Coins created below it are unknown to the index.</summary>
    public int? StartHeight { get; init; }

    /// <summary>Blocks of undo data kept (null: the currency's default, 100 for Bitcoin, 800 for Litecoin).</summary>
    public int? UndoDepth { get; init; }

    /// <summary>Scripthash shard actors (fixed per deployment and recorded in the store).</summary>
    public int ShardCount { get; init; } = 16;

    /// <summary>How often to ask the backend for a new tip while following (the Debian litecoind has no ZMQ).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Blocks fetched ahead of the writer during catch-up.</summary>
    public int PrefetchBlocks { get; init; } = 32;

    /// <summary>Follower lease lifetime: another process takes over this long after this one stops renewing.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Electrum statuses cached per scripthash shard (least recently used ones are dropped).</summary>
    public int StatusCacheEntries { get; init; } = 10_000;

    /// <summary>Longest history (full mode) or unspent-output list (utxo mode) a status is computed over; longer ones are refused as too large.</summary>
    public int MaxHistory { get; init; } = 125_000;

    /// <summary>
    /// A <c>dumptxoutset</c> file to load when the store is empty (utxo mode only), before following from its base
    /// block; also how an interrupted load is started over after a restart. Null: build from the chain.
    /// </summary>
    public Snapshots.SnapshotSource? Snapshot { get; init; }

    /// <summary>Lease owner name (host name and process id by default), shown in status and logs.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}
