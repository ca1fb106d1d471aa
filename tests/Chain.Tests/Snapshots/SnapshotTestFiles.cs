using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>A coin with everything copied out, for comparisons.</summary>
internal sealed record CoinRow(string OutPoint, long Value, int Height, bool Coinbase, bool PegOut, string Script)
{
    public static CoinRow From(in SnapshotCoin coin) =>
        new(coin.OutPoint.ToString(), coin.Value, coin.Height, coin.IsCoinbase, coin.IsPegOut, Hex.Encode(coin.Script));
}

internal static class SnapshotTestFiles
{
    public static UtxoSnapshotReaderOptions Options(Network network, int? baseHeight = null) =>
        new() { Network = network, BaseHeight = baseHeight, BufferSize = UtxoSnapshotReaderOptions.MinimumBufferSize };

    public static (UtxoSnapshotHeader Header, List<CoinRow> Coins) ReadAll(byte[] file, UtxoSnapshotReaderOptions options)
    {
        using var reader = new UtxoSnapshotReader(new MemoryStream(file), options);
        var coins = new List<CoinRow>();
        while (reader.MoveNext())
        {
            coins.Add(CoinRow.From(reader.Current));
        }
        return (reader.Header, coins);
    }

    /// <summary>The same file through <see cref="UtxoSnapshotReader.ReadBatch"/>, in small batches.</summary>
    public static List<CoinRow> ReadAllBatched(byte[] file, UtxoSnapshotReaderOptions options, int batchSize = 7)
    {
        using var reader = new UtxoSnapshotReader(new MemoryStream(file), options);
        var batch = new SnapshotCoinBatch(batchSize);
        var scratch = new byte[ScriptCompression.MaxTemplateScriptSize];
        var coins = new List<CoinRow>();
        while (reader.ReadBatch(batch) > 0)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                coins.Add(CoinRow.From(batch.GetCoin(i, scratch)));
            }
        }
        return coins;
    }

    /// <summary>Hex with spaces, newlines and <c>#</c> comments (to the end of the line) removed.</summary>
    public static byte[] Bytes(string annotatedHex)
    {
        var clean = new System.Text.StringBuilder();
        foreach (var line in annotatedHex.Split('\n'))
        {
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            clean.Append((hash < 0 ? line : line[..hash]).Replace(" ", "", StringComparison.Ordinal).Trim());
        }
        return Hex.Decode(clean.ToString());
    }
}
