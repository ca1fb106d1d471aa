using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Storage;

using Npgsql;

namespace Coinshard.Benchmarks;

/// <summary>
/// Bulk load of a synthetic UTXO snapshot through <see cref="BulkLoader"/>: 10,000,000 coins (200,000
/// with --quick; COINSHARD_BULK_COINS overrides) in txid order, 1 to 4 per transaction, realistic
/// values and heights, generated on another thread in batches of 100,000 as a snapshot reader would,
/// plus one header per 200 coins. Reports coins/s for the whole load (index build included) and for
/// the writes alone, bytes per coin on disk, and the process's peak RSS.
/// </summary>
internal static class StorageBulkLoadBenchmark
{
    private const int BatchSize = 100_000;
    private const int BaseHeight = 850_000;

    public static IReadOnlyList<Metric> Run(BenchmarkOptions options)
    {
        var coins = Environment.GetEnvironmentVariable("COINSHARD_BULK_COINS") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : options.Quick ? 200_000 : 10_000_000;
        var metrics = new List<Metric>();
        var directory = Directory.CreateTempSubdirectory("coinshard-bulk-").FullName;
        try
        {
            ResetPeakRss();
            var path = Path.Combine(directory, "bulk.db");
            var sqlite = LoadAsync(StoreOptions.Sqlite(path), coins).GetAwaiter().GetResult();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var bytes = SqliteFileBytes(path);
            metrics.Add(new($"SQLite {coins:N0} coins: coins/s, whole load", sqlite.Total, "1/s"));
            metrics.Add(new("SQLite coins/s, writes alone", sqlite.Writes, "1/s"));
            metrics.Add(new("SQLite index build + publish", sqlite.PublishSeconds, "s"));
            metrics.Add(new("SQLite process CPU per coin", sqlite.CpuMicrosPerCoin, "µs"));
            metrics.Add(new("SQLite bytes per coin (file)", bytes / (double)coins, "B"));
            metrics.Add(new("SQLite peak RSS (VmHWM)", PeakRssMiB(), "MiB"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        if (Environment.GetEnvironmentVariable("COINSHARD_TEST_POSTGRES") is { Length: > 0 } admin)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N");
            StorageBenchmarks.Execute(admin, $"CREATE SCHEMA {schema}");
            try
            {
                ResetPeakRss();
                var options2 = StoreOptions.PostgreSql(new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString);
                var pg = LoadAsync(options2, coins).GetAwaiter().GetResult();
                var bytes = PostgresBytes(options2.ConnectionString);
                metrics.Add(new($"PostgreSQL {coins:N0} coins: coins/s, whole load", pg.Total, "1/s"));
                metrics.Add(new("PostgreSQL coins/s, COPY alone", pg.Writes, "1/s"));
                metrics.Add(new("PostgreSQL index build + publish", pg.PublishSeconds, "s"));
                metrics.Add(new("PostgreSQL client CPU per coin", pg.CpuMicrosPerCoin, "µs"));
                metrics.Add(new("PostgreSQL bytes per coin (relations)", bytes / (double)coins, "B"));
                metrics.Add(new("PostgreSQL client peak RSS (VmHWM)", PeakRssMiB(), "MiB"));
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                StorageBenchmarks.Execute(admin, $"DROP SCHEMA {schema} CASCADE");
            }
        }
        else
        {
            Console.WriteLine("  (PostgreSQL skipped: COINSHARD_TEST_POSTGRES is not set)");
        }
        return metrics;
    }

    /// <param name="CpuMicrosPerCoin">Process CPU time (all threads: generator, writer, checkpointer, sorter) per coin.</param>
    private sealed record Result(double Total, double Writes, double PublishSeconds, double CpuMicrosPerCoin);

    private static async Task<Result> LoadAsync(StoreOptions options, int count)
    {
        await using var store = await ChainStore.OpenAsync(options, Currency.Bitcoin);
        await store.InitializeAsync(new ChainStoreSettings(Network.BitcoinRegtest, IndexMode.Utxo, 0, 16, 100));
        var lease = await store.TryAcquireLeaseAsync("benchmark", TimeSpan.FromHours(2))
            ?? throw new InvalidOperationException("benchmark could not take the lease");
        var headers = Headers(Math.Max(1, count / 200));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        var loader = await store.BeginBulkLoadAsync(new BulkLoadTarget(BaseHeight, Hashes.DoubleSha256(headers[^1]), count), lease);
        await loader.AddHeadersAsync(BaseHeight - headers.Count + 1, headers);

        // The generator fills reused arrays on another thread, as a snapshot parser would.
        var filled = Channel.CreateBounded<(SnapshotCoin[] Batch, int Count)>(2);
        var free = Channel.CreateUnbounded<SnapshotCoin[]>();
        for (var i = 0; i < 4; i++)
        {
            free.Writer.TryWrite(new SnapshotCoin[BatchSize]);
        }
        var producer = Task.Run(() => ProduceAsync(count, filled.Writer, free.Reader));
        var writes = new Stopwatch();
        await foreach (var (batch, n) in filled.Reader.ReadAllAsync())
        {
            writes.Start();
            await loader.AddAsync(batch.AsMemory(0, n));
            writes.Stop();
            free.Writer.TryWrite(batch);
        }
        await producer;
        var publish = Stopwatch.StartNew();
        await loader.CompleteAsync();
        publish.Stop();
        total.Stop();
        var stats = await store.GetCoinStatsAsync();
        if (stats.Count != count)
        {
            throw new InvalidOperationException($"loaded {stats.Count} coins, expected {count}");
        }
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        return new Result(count / total.Elapsed.TotalSeconds, count / writes.Elapsed.TotalSeconds, publish.Elapsed.TotalSeconds, cpuMicros / count);
    }

    private static async Task ProduceAsync(int count, ChannelWriter<(SnapshotCoin[], int)> filled, ChannelReader<SnapshotCoin[]> free)
    {
        var random = new Random(42);
        var txid = new byte[32];
        var gap = ulong.MaxValue / (ulong)(count / 2.5 * 1.2);
        ulong prefix = 0;
        var produced = 0;
        var batch = await free.ReadAsync();
        var n = 0;
        while (produced < count)
        {
            prefix += 1 + (ulong)(random.NextDouble() * 2 * gap);
            BinaryPrimitives.WriteUInt64BigEndian(txid, prefix);
            random.NextBytes(txid.AsSpan(8));
            var id = new Hash256(txid);
            var height = random.Next(BaseHeight + 1);
            var coinbase = random.Next(50) == 0;
            var vout = (uint)random.Next(2);
            for (var i = 1 + random.Next(4); i > 0 && produced < count; i--)
            {
                var value = (long)Math.Pow(10, 2.5 + (6.5 * random.NextDouble()));
                batch[n++] = new SnapshotCoin(new OutPoint(id, vout), (ulong)random.NextInt64(), value, height, coinbase);
                produced++;
                vout += 1 + (uint)random.Next(2);
                if (n == batch.Length)
                {
                    await filled.WriteAsync((batch, n));
                    batch = await free.ReadAsync();
                    n = 0;
                }
            }
        }
        if (n > 0)
        {
            await filled.WriteAsync((batch, n));
        }
        filled.Complete();
    }

    private static List<byte[]> Headers(int count)
    {
        var random = new Random(7);
        var headers = new List<byte[]>(count);
        var parent = Hash256.Zero;
        for (var i = 0; i < count; i++)
        {
            var header = new byte[80];
            random.NextBytes(header);
            parent.CopyTo(header.AsSpan(4, 32));
            parent = Hashes.DoubleSha256(header);
            headers.Add(header);
        }
        return headers;
    }

    internal static long SqliteFileBytes(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
        return new FileInfo(path).Length;
    }

    internal static long PostgresBytes(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'bitcoin%'", connection);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Resets the kernel's peak-RSS mark so VmHWM covers this benchmark only.</summary>
    internal static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return double.NaN;
    }
}
