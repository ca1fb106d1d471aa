using System.Globalization;

namespace Coinshard.Benchmarks;

/// <summary>Memory figures of this process from /proc/self/status (Linux).</summary>
internal static class ProcStatus
{
    /// <summary>A kB field (VmHWM: peak resident set; RssAnon: resident anonymous memory) in bytes, or null where unknown.</summary>
    public static long? Bytes(string field)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: >= 2 } ? long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024 : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
