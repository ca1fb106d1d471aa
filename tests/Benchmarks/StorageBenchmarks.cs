using System.Diagnostics;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Storage;

using Npgsql;

namespace Coinshard.Benchmarks;

/// <summary>
/// Benchmarks of src/Storage: connecting synthetic blocks of 1,000 inputs+outputs (500 spends of
/// random earlier coins, 500 new coins, 250 transactions) through <see cref="ChainStore.ConnectBlockAsync"/>
/// on a UTXO set first funded with 300,000 coins (20,000 with --quick).
/// SQLite always; PostgreSQL when COINSHARD_TEST_POSTGRES names a server (a scratch schema is used).
/// </summary>
internal static class StorageBenchmarks
{
    private const int SpendsPerBlock = 500;
    private const int OutputsPerBlock = 500;

    public static IReadOnlyList<Metric> ConnectBlocks(BenchmarkOptions options)
    {
        var blocks = options.Quick ? 20 : 300;
        var funding = options.Quick ? 20_000 : 300_000;
        var metrics = new List<Metric>();
        var directory = Directory.CreateTempSubdirectory("coinshard-bench-").FullName;
        try
        {
            foreach (var (mode, batch) in new[] { (IndexMode.Utxo, 1), (IndexMode.Full, 1), (IndexMode.Utxo, 20), (IndexMode.Full, 20) })
            {
                var path = Path.Combine(directory, $"{mode}-{batch}.db");
                var perSecond = Run(StoreOptions.Sqlite(path), mode, blocks, funding, batch);
                metrics.Add(new($"SQLite {Describe(mode, batch)}", perSecond, "1/s"));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        if (Environment.GetEnvironmentVariable("COINSHARD_TEST_POSTGRES") is { Length: > 0 } admin)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N");
            Execute(admin, $"CREATE SCHEMA {schema}");
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema };
                foreach (var batch in new[] { 1, 20 })
                {
                    NpgsqlConnection.ClearAllPools();
                    Execute(admin, $"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
                    var perSecond = Run(StoreOptions.PostgreSql(builder.ConnectionString), IndexMode.Full, blocks, funding, batch);
                    metrics.Add(new($"PostgreSQL {Describe(IndexMode.Full, batch)}", perSecond, "1/s"));
                }
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                Execute(admin, $"DROP SCHEMA {schema} CASCADE");
            }
        }
        else
        {
            Console.WriteLine("  (PostgreSQL skipped: COINSHARD_TEST_POSTGRES is not set)");
        }
        return metrics;
    }

    private static string Describe(IndexMode mode, int batch) =>
        $"{mode.ToString().ToLowerInvariant()}, {(batch == 1 ? "1 block" : $"{batch} blocks")}/transaction: inputs+outputs/s";

    private static double Run(StoreOptions options, IndexMode mode, int blocks, int fundingCoins, int batch) =>
        RunAsync(options, mode, blocks, fundingCoins, batch).GetAwaiter().GetResult();

    private static async Task<double> RunAsync(StoreOptions options, IndexMode mode, int blocks, int fundingCoins, int batch)
    {
        await using var store = await ChainStore.OpenAsync(options, Currency.Bitcoin);
        await store.InitializeAsync(new ChainStoreSettings(Network.BitcoinRegtest, mode, 0, 16, 100));
        var lease = await store.TryAcquireLeaseAsync("benchmark", TimeSpan.FromHours(1))
            ?? throw new InvalidOperationException("benchmark could not take the lease");
        var chain = new SyntheticChain(seed: 3);
        var funding = Enumerable.Range(0, fundingCoins / 1000).Select(_ => chain.Next(spends: 0, outputs: 1000)).ToList();
        foreach (var chunk in funding.Chunk(50))
        {
            await store.ConnectBlocksAsync(chunk, lease);
        }
        var deltas = Enumerable.Range(0, blocks).Select(_ => chain.Next(SpendsPerBlock, OutputsPerBlock)).ToList();
        var stopwatch = Stopwatch.StartNew();
        foreach (var chunk in deltas.Chunk(batch))
        {
            await store.ConnectBlocksAsync(chunk, lease);
        }
        stopwatch.Stop();
        return blocks * (double)(SpendsPerBlock + OutputsPerBlock) / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Blocks of two-output transactions over 5,000 scripthash keys; spends pick random unspent coins,
    /// so reads and writes hit the whole UTXO set as a live chain does.
    /// </summary>
    private sealed class SyntheticChain(int seed)
    {
        private readonly Random _random = new(seed);
        private readonly List<StoredCoin> _unspent = [];
        private readonly ulong[] _keys = CreateKeys(seed);
        private Hash256 _parent = Hash256.Zero;
        private int _height;

        private static ulong[] CreateKeys(int seed)
        {
            var random = new Random(seed + 1);
            return [.. Enumerable.Range(0, 5000).Select(_ => (ulong)random.NextInt64())];
        }

        public BlockDelta Next(int spends, int outputs)
        {
            var spent = new List<StoredCoin>(spends);
            for (var i = 0; i < spends && _unspent.Count > 0; i++)
            {
                var index = _random.Next(_unspent.Count);
                spent.Add(_unspent[index]);
                _unspent[index] = _unspent[^1];
                _unspent.RemoveAt(_unspent.Count - 1);
            }
            var created = new List<StoredCoin>(outputs);
            var txids = new List<Hash256>();
            var history = new List<BlockHistoryEntry>();
            for (var tx = 0; tx < outputs / 2; tx++)
            {
                var bytes = new byte[32];
                _random.NextBytes(bytes);
                var txid = new Hash256(bytes);
                txids.Add(txid);
                for (uint vout = 0; vout < 2; vout++)
                {
                    var key = _keys[_random.Next(_keys.Length)];
                    created.Add(new StoredCoin(new OutPoint(txid, vout), key, _random.NextInt64(1000, 100_000_000), _height, false, tx));
                    history.Add(new BlockHistoryEntry(key, tx, txid));
                }
                foreach (var coin in spent.Skip(2 * tx).Take(2))
                {
                    history.Add(new BlockHistoryEntry(coin.ScripthashKey, tx, txid));
                }
            }
            var header = new byte[80];
            _random.NextBytes(header);
            _parent.CopyTo(header.AsSpan(4, 32));
            _parent = Hashes.DoubleSha256(header);
            _unspent.AddRange(created);
            return new BlockDelta(_height++, _parent, header, spent, created) { TxIds = txids, History = history };
        }
    }

    internal static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
