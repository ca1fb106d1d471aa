using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;

namespace Coinshard.Benchmarks;

/// <summary>Benchmarks of src/Chain: block parsing and scripthash computation.</summary>
internal static class ChainBenchmarks
{
    private static byte[] LoadBlock413567() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "block413567.raw"));

    /// <summary>Bitcoin mainnet block 413567 (999,887 bytes, 1557 txs): the scanner, the object model, scan + scripthashes.</summary>
    public static IReadOnlyList<Metric> BlockParse(BenchmarkOptions options)
    {
        var block = LoadBlock413567();
        var (txCount, outputCount, inputCount) = Count(block);
        long sink = 0;
        var scan = Measure.Repeat(() => sink += Scan(block), Measure.Budget(options, 4));
        var objects = Measure.Repeat(() => sink += Block.Parse(block, Currency.Bitcoin).Transactions.Count, Measure.Budget(options, 3));
        var withScripthashes = Measure.Repeat(() => sink += ScanWithScripthashes(block), Measure.Budget(options, 3));
        GC.KeepAlive(sink);
        var mb = block.Length / 1e6;
        return
        [
            new("scanner MB/s", scan.PerSecond(mb), "MB/s"),
            new("scanner transactions/s", scan.PerSecond(txCount), "1/s"),
            new("scanner inputs+outputs/s", scan.PerSecond(inputCount + outputCount), "1/s"),
            new("scanner allocated per output", scan.AllocatedPerIteration / outputCount, "bytes"),
            new("object model (Block.Parse) MB/s", objects.PerSecond(mb), "MB/s"),
            new("object model allocated per output", objects.AllocatedPerIteration / outputCount, "bytes"),
            new("scan + scripthash of every output MB/s", withScripthashes.PerSecond(mb), "MB/s"),
            new("scan + scripthash outputs/s", withScripthashes.PerSecond(outputCount), "1/s"),
        ];
    }

    private static (int Txs, int Outputs, int Inputs) Count(byte[] block)
    {
        var scanner = new BlockScanner(block, Currency.Bitcoin);
        int txs = 0, outputs = 0, inputs = 0;
        while (scanner.MoveNext())
        {
            txs++;
            outputs += scanner.Current.OutputCount;
            inputs += scanner.Current.InputCount;
        }
        return (txs, outputs, inputs);
    }

    // Touches everything the indexer reads: txid, every prevout, every output's value and script.
    private static long Scan(byte[] block)
    {
        var scanner = new BlockScanner(block, Currency.Bitcoin);
        long total = 0;
        while (scanner.MoveNext())
        {
            var tx = scanner.Current;
            total += (long)tx.TxId.Low64;
            foreach (var input in tx.Inputs)
            {
                total += input.PrevOut.Index;
            }
            foreach (var output in tx.Outputs)
            {
                total += output.Value + output.ScriptPubKey.Length;
            }
        }
        return total;
    }

    private static long ScanWithScripthashes(byte[] block)
    {
        var scanner = new BlockScanner(block, Currency.Bitcoin);
        long total = 0;
        while (scanner.MoveNext())
        {
            foreach (var output in scanner.Current.Outputs)
            {
                total += (long)ElectrumScripthash.Compute(output.ScriptPubKey).Low64;
            }
        }
        return total;
    }

    public static IReadOnlyList<Metric> Scripthash(BenchmarkOptions options)
    {
        // A realistic mix of output scripts: P2WPKH (22 bytes), P2PKH (25), P2TR (34).
        var random = new Random(42);
        var scripts = new byte[4096][];
        for (var i = 0; i < scripts.Length; i++)
        {
            var hash = new byte[i % 3 == 2 ? 32 : 20];
            random.NextBytes(hash);
            scripts[i] = (i % 3) switch
            {
                0 => ScriptTemplates.WitnessProgram(0, hash),
                1 => ScriptTemplates.P2PKH(hash),
                _ => ScriptTemplates.WitnessProgram(1, hash),
            };
        }
        var sink = 0;
        var run = Measure.Repeat(() =>
        {
            foreach (var script in scripts)
            {
                sink ^= ElectrumScripthash.Compute(script).GetHashCode();
            }
        }, Measure.Budget(options, 3));
        GC.KeepAlive(sink);
        var parallel = MeasureParallel(scripts, Measure.Budget(options, 3));

        // The same scripts packed end to end and hashed as one batch (Sha256Batch: eight lanes per vector).
        var packed = scripts.SelectMany(s => s).ToArray();
        var ends = new int[scripts.Length];
        for (int i = 0, end = 0; i < scripts.Length; i++)
        {
            end += scripts[i].Length;
            ends[i] = end;
        }
        var digests = new byte[scripts.Length * 32];
        var batched = Measure.Repeat(() => Sha256Batch.Compute(packed, ends, digests), Measure.Budget(options, 3));
        return
        [
            new("scripthashes per second (1 thread)", run.PerSecond(scripts.Length), "1/s"),
            new($"scripthashes per second, batched (1 thread, {(Sha256Batch.IsVectorized ? "8 lanes" : "not vectorized")})", batched.PerSecond(scripts.Length), "1/s"),
            new($"scripthashes per second ({Environment.ProcessorCount} threads)", parallel, "1/s"),
            new("allocated per scripthash", run.AllocatedPerIteration / scripts.Length, "bytes"),
        ];
    }

    private static double MeasureParallel(byte[][] scripts, TimeSpan budget)
    {
        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var sink = 0;
            while (stopwatch.Elapsed < budget)
            {
                foreach (var script in scripts)
                {
                    sink ^= ElectrumScripthash.Compute(script).GetHashCode();
                }
                counts[t] += scripts.Length;
            }
            GC.KeepAlive(sink);
        });
        return counts.Sum() / stopwatch.Elapsed.TotalSeconds;
    }
}
