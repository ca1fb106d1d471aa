using System.Diagnostics;
using System.Text.Json;

namespace Coinshard.Benchmarks;

/// <summary>Runs the selected benchmarks, prints a table and writes JSON.</summary>
internal static class BenchmarkRunner
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static int Run(BenchmarkOptions options, IReadOnlyList<Benchmark> all)
    {
        if (options.List)
        {
            foreach (var b in all)
            {
                Console.WriteLine($"{b.Name,-28} {b.Description}");
            }
            return 0;
        }
        var selected = all.Where(b => options.Only is null || options.Only.Contains(b.Name)).ToList();
        if (selected.Count == 0)
        {
            Console.Error.WriteLine("no benchmark matches --only; use --list");
            return 2;
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}{(options.Quick ? ", QUICK run (figures not representative)" : "")}");
        var results = new List<object>();
        foreach (var benchmark in selected)
        {
            Console.WriteLine($"\n## {benchmark.Name}: {benchmark.Description}");
            var sw = Stopwatch.StartNew();
            var metrics = benchmark.Run(options);
            foreach (var m in metrics)
            {
                Console.WriteLine($"  {m.Name,-36} {Format(m.Value),14} {m.Unit}");
            }
            Console.WriteLine($"  ({sw.Elapsed.TotalSeconds:F1} s)");
            results.Add(new
            {
                name = benchmark.Name,
                metrics = metrics.Select(m => new { name = m.Name, value = m.Value, unit = m.Unit }),
            });
        }
        if (options.JsonPath is not null)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(options.JsonPath));
            Directory.CreateDirectory(directory!);
            File.WriteAllText(options.JsonPath, JsonSerializer.Serialize(new
            {
                quick = options.Quick,
                cores = Environment.ProcessorCount,
                runtime = Environment.Version.ToString(),
                timestamp = DateTimeOffset.UtcNow,
                benchmarks = results,
            }, s_json));
            Console.WriteLine($"\nwrote {options.JsonPath}");
        }
        return 0;
    }

    private static string Format(double value) =>
        Math.Abs(value) >= 1000 ? value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
