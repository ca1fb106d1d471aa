namespace Coinshard.Benchmarks;

/// <summary>One measured figure.</summary>
internal sealed record Metric(string Name, double Value, string Unit);

/// <summary>A named benchmark: runs and returns its figures.</summary>
internal sealed record Benchmark(string Name, string Description, Func<BenchmarkOptions, IReadOnlyList<Metric>> Run);
