namespace Coinshard.Indexing.Snapshots;

/// <summary>Where a snapshot load is.</summary>
public enum SnapshotLoadPhase
{
    /// <summary>Reading the file's header and finding its base block in the backend's chain.</summary>
    Locating,

    /// <summary>Streaming coins into the store.</summary>
    Coins,

    /// <summary>Fetching and checking the headers up to the base block.</summary>
    Headers,

    /// <summary>Building the indexes and publishing (one transaction).</summary>
    Publishing,

    /// <summary>Done: the index serves from the base block.</summary>
    Complete,

    /// <summary>Stopped by an error; the store holds no index (see the error).</summary>
    Failed,
}

/// <summary>A snapshot load's progress (for the admin API, the CLI's progress bar and logs).</summary>
/// <param name="Phase">What the load is doing.</param>
/// <param name="CoinsDone">Coins read and handled (written or skipped as dust).</param>
/// <param name="CoinsTotal">Coins the file declares.</param>
/// <param name="CoinsSkipped">Coins below the dust limit, not written.</param>
/// <param name="BytesDone">Bytes of the file consumed.</param>
/// <param name="BytesTotal">The file's size.</param>
/// <param name="CoinsPerSecond">Recent coin rate (0 until known).</param>
/// <param name="Eta">Estimated time to the end of the coin phase; null when unknown.</param>
/// <param name="HeadersDone">Headers fetched and checked.</param>
/// <param name="BaseHeight">The base block's height (-1 until located).</param>
/// <param name="Elapsed">Time since the load began.</param>
public sealed record SnapshotLoadProgress(
    SnapshotLoadPhase Phase,
    long CoinsDone,
    long CoinsTotal,
    long CoinsSkipped,
    long BytesDone,
    long BytesTotal,
    double CoinsPerSecond,
    TimeSpan? Eta,
    int HeadersDone,
    int BaseHeight,
    TimeSpan Elapsed);

/// <summary>What a completed load did.</summary>
/// <param name="BaseHeight">Height of the base block, now the tip.</param>
/// <param name="BaseHash">Hash of the base block.</param>
/// <param name="CoinsWritten">Coins in the index.</param>
/// <param name="CoinsSkipped">Coins below the dust limit.</param>
/// <param name="Headers">Headers stored (genesis to the base block).</param>
/// <param name="Elapsed">Wall time of the whole load.</param>
public sealed record SnapshotLoadResult(int BaseHeight, Chain.Hashing.Hash256 BaseHash, long CoinsWritten, long CoinsSkipped, int Headers, TimeSpan Elapsed);
