using System.Diagnostics;

namespace Coinshard.Benchmarks;

/// <summary>Timing helpers: warm up, then repeat a unit of work until a time budget is spent.</summary>
internal static class Measure
{
    /// <summary>Result of repeating a unit of work.</summary>
    public readonly record struct Run(long Iterations, TimeSpan Elapsed, long AllocatedBytes)
    {
        public double PerSecond(double unitsPerIteration) => Iterations * unitsPerIteration / Elapsed.TotalSeconds;

        public double AllocatedPerIteration => (double)AllocatedBytes / Iterations;
    }

    /// <summary>Runs <paramref name="work"/> for about <paramref name="budget"/> after a short warm-up.</summary>
    public static Run Repeat(Action work, TimeSpan budget)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < TimeSpan.FromMilliseconds(Math.Min(500, budget.TotalMilliseconds / 4)))
        {
            work();
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        long iterations = 0;
        while (sw.Elapsed < budget)
        {
            work();
            iterations++;
        }
        sw.Stop();
        return new Run(iterations, sw.Elapsed, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    public static TimeSpan Budget(BenchmarkOptions options, double seconds) =>
        TimeSpan.FromSeconds(options.Quick ? Math.Min(0.3, seconds) : seconds);
}
