using Coinshard.Chain.Scripts;

namespace Coinshard.Benchmarks;

/// <summary>Benchmarks of src/Chain: scripthash computation.</summary>
internal static class ChainBenchmarks
{
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
        return
        [
            new("scripthashes per second (1 thread)", run.PerSecond(scripts.Length), "1/s"),
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
