using System.Globalization;
using System.Text.Json;

using Coinshard.Chain.Encoding;

namespace Coinshard.Chain.Tests;

/// <summary>
/// Blocks and mempool transactions recorded from a real litecoind v0.21.2.1 -regtest
/// (Fixtures/litecoin-regtest/, see its README.md): raw hex beside the node's verbose JSON.
/// </summary>
internal static class LitecoinRegtestFixtures
{
    public const string Folder = "litecoin-regtest";

    /// <summary>Every saved block: block-&lt;height&gt;.hex, in height order.</summary>
    public static IEnumerable<(string Name, byte[] Raw)> Blocks() =>
        Files("block-").Select(name => (name, Raw(name)));

    /// <summary>Names (without extension) of the saved mempool transactions.</summary>
    public static IEnumerable<string> MempoolTransactionNames() => Files("mempool-");

    /// <summary>Raw mempool transactions, all of which carry MWEB data.</summary>
    public static IEnumerable<byte[]> MwebTransactions() => MempoolTransactionNames().Select(Raw);

    public static byte[] Raw(string name) => Hex.Decode(Fixture.Text($"{Folder}/{name}.hex").Trim());

    public static JsonDocument Json(string name) => Fixture.Json($"{Folder}/{name}.json");

    /// <summary>An amount the node printed in LTC (a JSON number) as exact satoshis.</summary>
    public static long Satoshis(JsonElement amount) =>
        (long)(decimal.Parse(amount.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * 100_000_000m);

    private static IEnumerable<string> Files(string prefix)
    {
        var folder = Fixture.PathOf(Folder);
        return Directory.GetFiles(folder, prefix + "*.hex")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .OrderBy(n => n.Length)
            .ThenBy(n => n, StringComparer.Ordinal);
    }
}
