using System.Diagnostics;
using System.Threading.Channels;

using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Snapshots;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Snapshots;

namespace Coinshard.Benchmarks;

/// <summary>
/// The dumptxoutset reader on a synthetic mainnet-like snapshot (2,000,000 coins; 200,000 with --quick) in a temp
/// file. The file is read from the page cache after writing, so the figures are the reader's CPU cost, not the disk's.
/// </summary>
internal static class SnapshotBenchmarks
{
    public static IReadOnlyList<Metric> Read(BenchmarkOptions options)
    {
        var coins = options.Quick ? 200_000UL : 2_000_000UL;
        using var directory = new TempDirectory("snapshot-bench");
        var path = directory.Combine("utxo-v2.dat");
        var legacyPath = directory.Combine("utxo-legacy.dat");
        var generation = Stopwatch.StartNew();
        var summary = SyntheticSnapshot.WriteFile(path, new SyntheticSnapshotOptions { Seed = 1, CoinCount = coins });
        var writeSeconds = generation.Elapsed.TotalSeconds;
        SyntheticSnapshot.WriteFile(legacyPath, new SyntheticSnapshotOptions
        {
            Seed = 1,
            CoinCount = coins,
            Format = UtxoSnapshotFormat.Legacy,
            LegacyChainTx = true,
        });
        var legacyBytes = new FileInfo(legacyPath).Length;
        var mb = summary.FileBytes / 1e6;
        var budget = Measure.Budget(options, 4);
        long sink = 0;

        var decode = Measure.Repeat(() => sink += ReadAll(path), budget);
        var legacy = Measure.Repeat(() => sink += ReadAll(legacyPath), budget);
        var hashed = Measure.Repeat(() => sink += ReadAllWithScripthash(path), budget);
        var batched = Measure.Repeat(() => sink += ReadBatches(path, decodeScripts: false), budget);
        var batchedDecoded = Measure.Repeat(() => sink += ReadBatches(path, decodeScripts: true), budget);
        var workers = Environment.ProcessorCount;
        var parallel = MeasureParallel(path, workers, budget);
        GC.KeepAlive(sink);
        return
        [
            new("file size (version 2)", mb, "MB"),
            new("bytes per coin (version 2)", (double)summary.FileBytes / coins, "bytes"),
            new("bytes per coin (older, 44-byte header)", (double)legacyBytes / coins, "bytes"),
            new("generate + write coins/s", coins / writeSeconds, "1/s"),
            new("read + decode coins/s (MoveNext)", decode.PerSecond(coins), "1/s"),
            new("read + decode MB/s", decode.PerSecond(mb), "MB/s"),
            new("read + decode allocated per coin", decode.AllocatedPerIteration / coins, "bytes"),
            new("older format read + decode coins/s", legacy.PerSecond(coins), "1/s"),
            new("read + decode + scripthash coins/s", hashed.PerSecond(coins), "1/s"),
            new("read + scripthash allocated per coin", hashed.AllocatedPerIteration / coins, "bytes"),
            new("ReadBatch (scripts compressed) coins/s", batched.PerSecond(coins), "1/s"),
            new("ReadBatch + GetScript coins/s", batchedDecoded.PerSecond(coins), "1/s"),
            new($"batches + scripthash on {workers} workers coins/s", parallel, "1/s"),
        ];
    }

    private static UtxoSnapshotReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan), Network.BitcoinMainnet);

    // Touches what a loader reads: outpoint, value, height, flags and the script.
    private static long ReadAll(string path)
    {
        using var reader = Open(path);
        long total = 0;
        while (reader.MoveNext())
        {
            var coin = reader.Current;
            total += coin.Value + coin.Height + coin.Script.Length + (long)coin.OutPoint.Index + (coin.IsCoinbase ? 1 : 0);
        }
        return total;
    }

    private static long ReadAllWithScripthash(string path)
    {
        using var reader = Open(path);
        long total = 0;
        while (reader.MoveNext())
        {
            var coin = reader.Current;
            total += (long)ElectrumScripthash.Compute(coin.Script).Low64 + coin.Value;
        }
        return total;
    }

    private static long ReadBatches(string path, bool decodeScripts)
    {
        using var reader = Open(path);
        var batch = new SnapshotCoinBatch();
        Span<byte> scratch = stackalloc byte[ScriptCompression.MaxTemplateScriptSize];
        long total = 0;
        while (reader.ReadBatch(batch) > 0)
        {
            foreach (var value in batch.Values)
            {
                total += value;
            }
            if (decodeScripts)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    total += batch.GetScript(i, scratch).Length;
                }
            }
        }
        return total;
    }

    // The shape a loader would use: this thread fills batches, workers decompress and hash them.
    private static double MeasureParallel(string path, int workers, TimeSpan budget)
    {
        ReadParallel(path, workers); // warm-up
        var stopwatch = Stopwatch.StartNew();
        long coins = 0;
        do
        {
            coins += ReadParallel(path, workers);
        }
        while (stopwatch.Elapsed < budget);
        return coins / stopwatch.Elapsed.TotalSeconds;
    }

    private static long ReadParallel(string path, int workers)
    {
        var full = Channel.CreateBounded<SnapshotCoinBatch>(workers * 2);
        var free = Channel.CreateUnbounded<SnapshotCoinBatch>();
        for (var i = 0; i < workers * 3; i++)
        {
            free.Writer.TryWrite(new SnapshotCoinBatch());
        }
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var scratch = new byte[ScriptCompression.MaxTemplateScriptSize];
            long sink = 0;
            await foreach (var batch in full.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    sink += (long)ElectrumScripthash.Compute(batch.GetScript(i, scratch)).Low64;
                }
                free.Writer.TryWrite(batch);
            }
            return sink;
        })).ToArray();
        long coins = 0;
        using (var reader = Open(path))
        {
            while (true)
            {
                var batch = free.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
                if (reader.ReadBatch(batch) == 0)
                {
                    break;
                }
                coins += batch.Count;
                full.Writer.WriteAsync(batch).AsTask().GetAwaiter().GetResult();
            }
        }
        full.Writer.Complete();
        Task.WaitAll(tasks);
        return coins;
    }
}
