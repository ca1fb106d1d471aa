namespace Coinshard.Benchmarks;

/// <summary>Command-line options: --quick shortens every benchmark (a smoke run for CI).</summary>
internal sealed record BenchmarkOptions(bool Quick, IReadOnlySet<string>? Only, string? JsonPath, bool List)
{
    public static BenchmarkOptions? Parse(string[] args)
    {
        var quick = false;
        var list = false;
        HashSet<string>? only = null;
        string? json = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--list":
                    list = true;
                    break;
                case "--only" when i + 1 < args.Length:
                    only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    break;
                case "--json" when i + 1 < args.Length:
                    json = args[++i];
                    break;
                default:
                    return null;
            }
        }
        return new BenchmarkOptions(quick, only, json, list);
    }
}
