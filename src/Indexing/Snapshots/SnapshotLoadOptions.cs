namespace Coinshard.Indexing.Snapshots;

/// <summary>What to load and how (see <see cref="SnapshotLoader"/>).</summary>
/// <param name="Path">The <c>dumptxoutset</c> file.</param>
public sealed record SnapshotLoadOptions(string Path)
{
    /// <summary>Default coins per store transaction.</summary>
    public const int DefaultBatchSize = 65_536;

    /// <summary>Skip outputs below this many satoshis (0: keep every coin). Balances then exclude them.</summary>
    public long DustLimit { get; init; }

    /// <summary>Threads decompressing scripts and computing scripthashes (the reader and the writer have their own).</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Coins per batch: one reader batch, one scripthash job, one store transaction.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Batches in flight between the reader and the writer: with <see cref="BatchSize"/> this bounds memory (about 200 bytes per coin in flight).</summary>
    public int BatchesInFlight { get; init; } = Math.Max(1, Environment.ProcessorCount) + 2;

    /// <summary>Headers fetched and checked per round trip.</summary>
    public int HeaderBatchSize { get; init; } = 2_000;

    /// <summary>Header requests in flight at once.</summary>
    public int HeaderConcurrency { get; init; } = 8;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Path);
        ArgumentOutOfRangeException.ThrowIfNegative(DustLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchesInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(HeaderBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(HeaderConcurrency, 1);
    }
}
