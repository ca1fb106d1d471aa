using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

using Coinshard.Backends;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.ProofOfWork;
using Coinshard.Indexing.Snapshots;
using Coinshard.Storage;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Snapshots;

using Microsoft.Extensions.Logging.Abstractions;

using Npgsql;

namespace Coinshard.Benchmarks;

/// <summary>
/// The whole snapshot load as an operator runs it (<see cref="SnapshotLoader"/>): a synthetic mainnet-like
/// version-2 file of 10,000,000 coins (200,000 with --quick; COINSHARD_SNAPSHOT_COINS overrides) read from the
/// page cache, scripthashes on every core, one writer, then one header per 200 coins fetched from an in-memory
/// chain (real proof of work, regtest difficulty) and checked, then the index build. Reports coins/s for the
/// whole load and for the coin phase, bytes per coin on disk, peak RSS, CPU per coin; SQLite, and PostgreSQL when
/// COINSHARD_TEST_POSTGRES is set.
/// </summary>
internal static class SnapshotLoadBenchmark
{
    public static IReadOnlyList<Metric> Run(BenchmarkOptions options)
    {
        var coins = Environment.GetEnvironmentVariable("COINSHARD_SNAPSHOT_COINS") is { Length: > 0 } text
            ? ulong.Parse(text, CultureInfo.InvariantCulture)
            : options.Quick ? 200_000UL : 10_000_000UL;
        var network = Network.BitcoinRegtest;
        var chain = new InMemoryChain(network, (int)Math.Max(1, coins / 200));
        using var directory = new TempDirectory("snapshot-load-bench");
        var file = directory.Combine("utxo.dat");
        var summary = SyntheticSnapshot.WriteFile(file, new SyntheticSnapshotOptions
        {
            Seed = 3,
            CoinCount = coins,
            Network = network,
            BaseHeight = chain.Tip.Height,
            BaseBlockHash = chain.Tip.Hash,
        });
        var metrics = new List<Metric>
        {
            new($"file: {coins:N0} coins, {chain.Tip.Height + 1:N0} headers", summary.FileBytes / 1e6, "MB"),
        };

        // Litecoin headers are checked with scrypt: the cost per header decides the header phase on mainnet.
        var header = new byte[80];
        var scrypt = Stopwatch.StartNew();
        var scrypts = 0;
        while (scrypt.Elapsed < TimeSpan.FromSeconds(options.Quick ? 0.2 : 2))
        {
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(76), scrypts++);
            ProofOfWorkValidator.ScryptHash(header);
        }
        metrics.Add(new("scrypt header PoW checks/s (one thread)", scrypts / scrypt.Elapsed.TotalSeconds, "1/s"));

        StorageBulkLoadBenchmark.ResetPeakRss();
        var path = directory.Combine("index.db");
        var sqlite = Load(StoreOptions.Sqlite(path), chain, file, coins);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = StorageBulkLoadBenchmark.SqliteFileBytes(path);
        metrics.Add(new("SQLite coins/s, whole load (file to published index)", sqlite.Total, "1/s"));
        metrics.Add(new("SQLite coins/s, coin phase (read, scripthash, write)", sqlite.CoinPhase, "1/s"));
        metrics.Add(new("SQLite headers + index build + publish", sqlite.AfterCoinsSeconds, "s"));
        metrics.Add(new("SQLite of which headers (fetch, check, write)", sqlite.HeadersSeconds, "s"));
        metrics.Add(new("SQLite process CPU per coin", sqlite.CpuMicrosPerCoin, "µs"));
        metrics.Add(new("SQLite CPU per coin, coin phase", sqlite.CoinCpuMicrosPerCoin, "µs"));
        metrics.Add(new("SQLite CPU per coin, headers + index build", sqlite.AfterCpuMicrosPerCoin, "µs"));
        metrics.Add(new("SQLite bytes per coin (file)", bytes / (double)coins, "B"));
        metrics.Add(new("SQLite peak RSS (VmHWM) of the load", sqlite.PeakRssMiB, "MiB"));

        if (Environment.GetEnvironmentVariable("COINSHARD_TEST_POSTGRES") is { Length: > 0 } admin)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N");
            StorageBenchmarks.Execute(admin, $"CREATE SCHEMA {schema}");
            try
            {
                StorageBulkLoadBenchmark.ResetPeakRss();
                var pgOptions = StoreOptions.PostgreSql(new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString);
                var pg = Load(pgOptions, chain, file, coins);
                var pgBytes = StorageBulkLoadBenchmark.PostgresBytes(pgOptions.ConnectionString);
                metrics.Add(new("PostgreSQL coins/s, whole load", pg.Total, "1/s"));
                metrics.Add(new("PostgreSQL coins/s, coin phase", pg.CoinPhase, "1/s"));
                metrics.Add(new("PostgreSQL headers + index build + publish", pg.AfterCoinsSeconds, "s"));
                metrics.Add(new("PostgreSQL client CPU per coin", pg.CpuMicrosPerCoin, "µs"));
                metrics.Add(new("PostgreSQL client CPU per coin, coin phase", pg.CoinCpuMicrosPerCoin, "µs"));
                metrics.Add(new("PostgreSQL bytes per coin (relations)", pgBytes / (double)coins, "B"));
                metrics.Add(new("PostgreSQL client peak RSS (VmHWM) of the load", pg.PeakRssMiB, "MiB"));
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

    /// <param name="CoinCpuMicrosPerCoin">Process CPU per coin during the coin phase (reader, workers, writer, checkpointer).</param>
    /// <param name="AfterCpuMicrosPerCoin">Process CPU per coin after it: headers, index build, publish.</param>
    private sealed record Result(double Total, double CoinPhase, double AfterCoinsSeconds, double CpuMicrosPerCoin, double CoinCpuMicrosPerCoin, double AfterCpuMicrosPerCoin, double HeadersSeconds, double PeakRssMiB);

    private static Result Load(StoreOptions options, InMemoryChain chain, string file, ulong coins) =>
        LoadAsync(options, chain, file, coins).GetAwaiter().GetResult();

    private static async Task<Result> LoadAsync(StoreOptions options, InMemoryChain chain, string file, ulong coins)
    {
        await using var store = await ChainStore.OpenAsync(options, new ChainStoreSettings(chain.Network, IndexMode.Utxo, 0, 16, 100));
        var lease = await store.TryAcquireLeaseAsync("benchmark", TimeSpan.FromHours(2))
            ?? throw new InvalidOperationException("benchmark could not take the lease");
        var progress = new PhaseClock();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        var result = await SnapshotLoader.LoadAsync(store, () => lease, chain, chain.Network, new SnapshotLoadOptions(file), progress, NullLogger.Instance);
        total.Stop();
        // Before the check below: its full scan reads through the readers' memory map, whose pages count in the resident set.
        var peakRss = StorageBulkLoadBenchmark.PeakRssMiB();
        if ((ulong)result.CoinsWritten != coins || (await store.GetCoinStatsAsync()).Count != (long)coins)
        {
            throw new InvalidOperationException($"loaded {result.CoinsWritten} coins, expected {coins}");
        }
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        var coinSeconds = (progress.HeadersStarted - progress.CoinsStarted).TotalSeconds;
        var coinCpu = (progress.HeadersCpu - progress.CoinsCpu).TotalMicroseconds;
        var afterCpu = (Process.GetCurrentProcess().TotalProcessorTime - progress.HeadersCpu).TotalMicroseconds;
        return new Result(coins / total.Elapsed.TotalSeconds, coins / coinSeconds, (total.Elapsed - progress.HeadersStarted).TotalSeconds, cpuMicros / coins,
            coinCpu / coins, afterCpu / coins, (progress.PublishingStarted - progress.HeadersStarted).TotalSeconds, peakRss);
    }

    /// <summary>When the coin and header phases began (elapsed time of the load).</summary>
    private sealed class PhaseClock : IProgress<SnapshotLoadProgress>
    {
        public TimeSpan CoinsStarted { get; private set; }

        public TimeSpan HeadersStarted { get; private set; }

        public TimeSpan PublishingStarted { get; private set; }

        public TimeSpan CoinsCpu { get; private set; }

        public TimeSpan HeadersCpu { get; private set; }

        public void Report(SnapshotLoadProgress value)
        {
            if (value.Phase == SnapshotLoadPhase.Coins && CoinsStarted == TimeSpan.Zero)
            {
                CoinsStarted = value.Elapsed;
                CoinsCpu = Process.GetCurrentProcess().TotalProcessorTime;
            }
            if (value.Phase == SnapshotLoadPhase.Publishing && PublishingStarted == TimeSpan.Zero)
            {
                PublishingStarted = value.Elapsed;
            }
            if (value.Phase == SnapshotLoadPhase.Headers && HeadersStarted == TimeSpan.Zero)
            {
                HeadersStarted = value.Elapsed;
                HeadersCpu = Process.GetCurrentProcess().TotalProcessorTime;
            }
        }
    }

    /// <summary>A chain of mined regtest headers held in memory: the loader's backend without a node's I/O cost.</summary>
    private sealed class InMemoryChain : IChainInfo
    {
        private readonly List<byte[]> _headers = [];
        private readonly List<Hash256> _hashes = [];
        private readonly Dictionary<Hash256, int> _heights = [];

        public InMemoryChain(Network network, int count)
        {
            Network = network;
            var limit = ProofOfWorkValidator.GetPowLimit(network);
            var parent = Hash256.Zero;
            for (var height = 0; height < count; height++)
            {
                var header = new byte[80];
                BinaryPrimitives.WriteInt32LittleEndian(header, 0x20000000);
                parent.CopyTo(header.AsSpan(4, 32));
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(68), 1_600_000_000u + (uint)(height * 600));
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(72), 0x207fffff);
                Hash256 hash;
                for (uint nonce = 0; ; nonce++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(76), nonce);
                    hash = Hashes.DoubleSha256(header);
                    if (ProofOfWorkValidator.CheckProofOfWork(hash, 0x207fffff, limit))
                    {
                        break;
                    }
                }
                _headers.Add(header);
                _hashes.Add(hash);
                _heights[hash] = height;
                parent = hash;
            }
        }

        public ChainTip Tip => new(_hashes.Count - 1, _hashes[^1]);

        public string Name => "in-memory";

        public Network Network { get; }

        public BackendCapabilities Capabilities { get; } = new();

        public BackendHealth Health => BackendHealth.Initial;

        public Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChainState(Network, Tip, _hashes.Count - 1, false, DateTimeOffset.UtcNow, 1, false));

        public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default) =>
            Task.FromResult<Hash256?>(height >= 0 && height < _hashes.Count ? _hashes[height] : null);

        public Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<Hash256>>(_hashes.Skip(fromHeight).Take(count).ToList());

        public Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default) =>
            _heights.TryGetValue(blockHash, out var height)
                ? Task.FromResult(_headers[height])
                : Task.FromException<byte[]>(new BlockNotFoundException(blockHash.ToString(), "unknown"));
    }
}
