using Coinshard.Chain.Blocks;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Indexing.Applying;
using Coinshard.Storage;

namespace Coinshard.Benchmarks;

/// <summary>
/// Benchmarks of src/Indexing: Bitcoin block 413567 (1557 transactions) through the block → delta builder:
/// the scan (txids, scripthash keys, same-block spends) and the resolve step against an in-memory coin
/// lookup (the store's batched read is measured by storage.connect), in utxo and full mode.
/// </summary>
internal static class IndexingBenchmarks
{
    private const int Height = 413567;

    public static IReadOnlyList<Metric> Delta(BenchmarkOptions options)
    {
        var block = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "block413567.raw"));
        var (inputs, outputs) = Count(block);
        var metrics = new List<Metric>();
        foreach (var mode in new[] { IndexMode.Utxo, IndexMode.Full })
        {
            var builder = new BlockDeltaBuilder(Network.BitcoinMainnet, mode);
            var coins = SpentCoins(builder, block);
            CoinLookup lookup = (outPoints, _) =>
                Task.FromResult<IReadOnlyList<StoredCoin>>(outPoints.Select(o => coins[o]).ToList());

            long sink = 0;
            var scan = Measure.Repeat(() => sink += builder.Scan(block, Height).TransactionCount, Measure.Budget(options, 3));
            var whole = Measure.Repeat(
                () => sink += builder.ResolveAsync([builder.Scan(block, Height)], lookup).GetAwaiter().GetResult().Deltas[0].Created.Count,
                Measure.Budget(options, 3));
            GC.KeepAlive(sink);
            var name = mode == IndexMode.Full ? "full" : "utxo";
            metrics.Add(new($"{name}: scan + resolve blocks/s", whole.PerSecond(1), "1/s"));
            metrics.Add(new($"{name}: scan + resolve inputs+outputs/s", whole.PerSecond(inputs + outputs), "1/s"));
            metrics.Add(new($"{name}: scan + resolve allocated per output", whole.AllocatedPerIteration / outputs, "bytes"));
            metrics.Add(new($"{name}: scan only inputs+outputs/s", scan.PerSecond(inputs + outputs), "1/s"));
            metrics.Add(new($"{name}: scan only allocated per output", scan.AllocatedPerIteration / outputs, "bytes"));
        }
        return metrics;
    }

    private static (int Inputs, int Outputs) Count(byte[] block)
    {
        var scanner = new BlockScanner(block, Currency.Bitcoin);
        int inputs = 0, outputs = 0;
        while (scanner.MoveNext())
        {
            inputs += scanner.Current.IsCoinbase ? 0 : scanner.Current.InputCount;
            outputs += scanner.Current.OutputCount;
        }
        return (inputs, outputs);
    }

    /// <summary>Made-up stored coins for everything the block spends from earlier blocks.</summary>
    private static Dictionary<OutPoint, StoredCoin> SpentCoins(BlockDeltaBuilder builder, byte[] block)
    {
        var coins = new Dictionary<OutPoint, StoredCoin>();
        builder.ResolveAsync([builder.Scan(block, Height)], (outPoints, _) =>
        {
            foreach (var outPoint in outPoints)
            {
                coins[outPoint] = new StoredCoin(outPoint, outPoint.TxId.Low64, 1000, Height - 10, false, 1);
            }
            return Task.FromResult<IReadOnlyList<StoredCoin>>([.. coins.Values]);
        }).GetAwaiter().GetResult();
        return coins;
    }
}
