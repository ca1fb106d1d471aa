using Coinshard.Chain.Encoding;

namespace Coinshard.Chain.Tests;

/// <summary>
/// Blocks and transactions recorded from a real litecoind -regtest (Fixtures/litecoin-regtest/,
/// produced on branch helper/ltcfix). Empty until those fixtures are merged.
/// </summary>
internal static class LitecoinRegtestFixtures
{
    public const string Folder = "litecoin-regtest";

    public static bool Available => Directory.Exists(Fixture.PathOf(Folder));

    public static IEnumerable<(string Name, byte[] Raw)> Blocks()
    {
        if (!Available)
        {
            yield break;
        }
        foreach (var path in Directory.GetFiles(Fixture.PathOf(Folder), "*.hex", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Contains("block", StringComparison.OrdinalIgnoreCase))
            {
                yield return (name, Hex.Decode(File.ReadAllText(path).Trim()));
            }
        }
    }

    /// <summary>Raw transactions that carry MWEB data (HogEx or MWEB transaction).</summary>
    public static IEnumerable<byte[]> MwebTransactions()
    {
        yield break;
    }
}
