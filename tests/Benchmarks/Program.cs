using Coinshard.Benchmarks;

// Benchmarks measure; tests assert. This program prints figures and optionally writes them as JSON.
// Usage: dotnet run -c Release --project tests/Benchmarks -- [--quick] [--only NAME] [--json FILE]
if (args is [ElectrumBenchmarks.ChildFlag, ..])
{
    // The server process of the Electrum benchmarks (started by them, not by hand).
    return await ElectrumBenchmarks.ChildMainAsync(args);
}
if (args is [CatchupBenchmarks.ChildFlag, ..])
{
    // The indexer process of indexing.catchup.
    return await CatchupBenchmarks.ChildMainAsync(args);
}
if (args is [ElectrumLoadBenchmark.ChildFlag, ..])
{
    // The gateway process of electrum.load.
    return await ElectrumLoadBenchmark.ChildMainAsync(args);
}
var options = BenchmarkOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Coinshard.Benchmarks [--quick] [--only NAME[,NAME]] [--json FILE] [--list]");
    return 2;
}
return BenchmarkRunner.Run(options, BenchmarkCatalog.All);
