using Coinshard.Chain.Snapshots;

namespace Coinshard.TestSupport.Snapshots;

/// <summary>
/// Writes valid, deterministic <c>dumptxoutset</c> files of any size in either format through
/// <see cref="UtxoSnapshotWriter"/>, streaming (memory does not grow with the coin count). The coins are those
/// of <see cref="SyntheticCoinSource"/> with the same options.
/// </summary>
public static class SyntheticSnapshot
{
    /// <summary>Writes the snapshot to <paramref name="destination"/> (left open).</summary>
    public static SyntheticSnapshotSummary Write(Stream destination, SyntheticSnapshotOptions options)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        var source = new SyntheticCoinSource(options);
        uint? chainTx = options.Format == UtxoSnapshotFormat.Legacy && options.LegacyChainTx
            ? (uint)Math.Min(uint.MaxValue, (options.CoinCount / 2) + (ulong)options.BaseHeight)
            : null;
        var start = destination.CanSeek ? destination.Position : 0;
        var kinds = Enum.GetValues<SyntheticScriptKind>().ToDictionary(k => k, _ => 0L);
        long total = 0, coinbases = 0, pegOuts = 0;
        using (var writer = new UtxoSnapshotWriter(destination, new UtxoSnapshotWriterOptions
        {
            Network = options.Network,
            BaseBlockHash = source.BaseBlockHash,
            CoinCount = options.CoinCount,
            Format = options.Format,
            ChainTxCount = chainTx,
            LeaveOpen = true,
        }))
        {
            var counts = new long[kinds.Count];
            while (source.MoveNext())
            {
                writer.Write(source.OutPoint, source.Value, source.Height, source.IsCoinbase, source.IsPegOut, source.Script);
                total += source.Value;
                counts[(int)source.Kind]++;
                coinbases += source.IsCoinbase ? 1 : 0;
                pegOuts += source.IsPegOut ? 1 : 0;
            }
            writer.Complete();
            foreach (var kind in kinds.Keys.ToList())
            {
                kinds[kind] = counts[(int)kind];
            }
        }
        var bytes = destination.CanSeek ? destination.Position - start : -1;
        return new SyntheticSnapshotSummary(options.CoinCount, total, bytes, source.BaseBlockHash, chainTx, kinds, coinbases, pegOuts);
    }

    /// <summary>Writes the snapshot to a new file at <paramref name="path"/>.</summary>
    public static SyntheticSnapshotSummary WriteFile(string path, SyntheticSnapshotOptions options)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.SequentialScan);
        return Write(file, options);
    }

    /// <summary>The snapshot as bytes (for small files in tests).</summary>
    public static byte[] ToArray(SyntheticSnapshotOptions options)
    {
        using var memory = new MemoryStream();
        Write(memory, options);
        return memory.ToArray();
    }
}
