using Coinshard.Backends;
using Coinshard.Indexing.Shards;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Indexing.Following;

/// <summary>
/// What outlives one follower instance (a restart makes a new one) and what the facade reads: the
/// configuration, the opened store, the held lease, the latest status and the change-feed position.
/// Only the follower writes; the facade and the shards read (volatile fields of immutable values).
/// </summary>
internal sealed class FollowerShared(
    IndexerOptions options,
    IBlockSource backend,
    StoreOptions storeOptions,
    ScripthashShards shards,
    ILogger logger,
    TimeProvider time)
{
    private volatile ChainStore? _store;
    private volatile LeaseToken? _lease;
    private volatile bool _stopping;
    private volatile Snapshots.SnapshotLoadJob? _snapshot;
    private volatile FollowerStatus _status = new(
        options.Network, options.Mode, FollowerState.Starting, null, null, false, null, null, time.GetUtcNow());

    private long _generation;
    private long _lastSeq = -1;
    private long _blocksConnected;
    private long _writeTransactions;

    public IndexerOptions Options { get; } = options;

    public IBlockSource Backend { get; } = backend;

    public StoreOptions StoreOptions { get; } = storeOptions;

    public ScripthashShards Shards { get; } = shards;

    public ILogger Logger { get; } = logger;

    public TimeProvider Time { get; } = time;

    /// <summary>The settings the store is opened (and, on first use, initialized) with.</summary>
    public ChainStoreSettings StoreSettings { get; } = new(
        options.Network,
        options.Mode,
        options.StartHeight ?? 0,
        options.ShardCount,
        options.UndoDepth ?? ChainStoreSettings.DefaultUndoDepth(options.Network.Currency));

    /// <summary>First height indexed into an empty store.</summary>
    public int StartHeight => Options.StartHeight ?? 0;

    /// <summary>Lower-case currency name as operator commands spell it (<c>--coin litecoin</c>).</summary>
    public string CoinName => Options.Network.Currency.ToString().ToLowerInvariant();

    public ChainStore? Store
    {
        get => _store;
        set => _store = value;
    }

    public LeaseToken? Lease
    {
        get => _lease;
        set => _lease = value;
    }

    public FollowerStatus Status => _status;

    /// <summary>This process's latest snapshot load (running or finished), or null.</summary>
    public Snapshots.SnapshotLoadJob? Snapshot
    {
        get => _snapshot;
        set => _snapshot = value;
    }

    /// <summary>Set once the configured snapshot file was tried: a failed load is not retried in a loop.</summary>
    public bool ConfiguredSnapshotTried { get; set; }

    /// <summary>Seq of the last change-feed row delivered to the shards (-1: not positioned yet).</summary>
    public long LastSeq
    {
        get => Interlocked.Read(ref _lastSeq);
        set => Interlocked.Exchange(ref _lastSeq, value);
    }

    /// <summary>Blocks connected by this process (metrics).</summary>
    public long BlocksConnected => Interlocked.Read(ref _blocksConnected);

    /// <summary>Connect transactions written by this process: fewer than <see cref="BlocksConnected"/> when catch-up batches.</summary>
    public long WriteTransactions => Interlocked.Read(ref _writeTransactions);

    public void CountWrite(int blocks)
    {
        Interlocked.Add(ref _blocksConnected, blocks);
        Interlocked.Increment(ref _writeTransactions);
    }

    /// <summary>Set once the facade is shutting down: nothing more is started.</summary>
    public bool Stopping
    {
        get => _stopping;
        set => _stopping = value;
    }

    /// <summary>A number no instance has used: step generations stay unique across restarts.</summary>
    public long NextGeneration() => Interlocked.Increment(ref _generation);

    public void Publish(FollowerStatus status) => _status = status with { UpdatedAt = Time.GetUtcNow() };
}
