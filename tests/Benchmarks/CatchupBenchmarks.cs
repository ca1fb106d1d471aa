using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using Coinshard.Actors;
using Coinshard.Backends;
using Coinshard.Backends.Core;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Indexing;
using Coinshard.Indexing.Applying;
using Coinshard.Storage;
using Coinshard.TestSupport.Chains;
using Coinshard.TestSupport.Litecoind;

using Microsoft.Extensions.Logging.Abstractions;

using Npgsql;

namespace Coinshard.Benchmarks;

/// <summary>
/// indexing.catchup: a real litecoind regtest with a chain of 100,000 transactions (≈1.16 M inputs+outputs;
/// 2,000 with --quick) built by <see cref="RegtestChainBuilder"/>, caught up from genesis by the real indexer
/// (<see cref="CurrencyIndexer"/> over <see cref="CoreRpcBackend"/>, REST block fetch), in utxo and full mode,
/// on SQLite and, when COINSHARD_TEST_POSTGRES is set, PostgreSQL.
/// </summary>
/// <remarks>
/// <para>Each catch-up runs in a child process (this program with <see cref="ChildFlag"/>), so that its peak
/// memory is the indexer's alone: VmHWM from /proc/self/status (peak resident set since the process started,
/// runtime included). Speed is measured from the indexer's start to the moment its tip is the node's tip.</para>
/// <para>Then a stage profile: the same blocks through the same steps, one after another in this process,
/// each timed (REST block fetch, scan, resolve with the store's coin reads timed apart, store commit), in the
/// follower's batches (≤ 50 blocks, ≤ 20,000 inputs+outputs). The real follower overlaps fetch and scan with
/// the writes, so its wall time is less than the sum.</para>
/// </remarks>
internal static class CatchupBenchmarks
{
    /// <summary>The argument that makes this program the catch-up child.</summary>
    public const string ChildFlag = "--indexing-catchup-child";

    /// <summary>A leading C++ Electrum server on such a chain (≈1 M inputs+outputs), one core.</summary>
    private const double ReferenceRate = 48_000;
    private const double ReferencePeakMegabytes = 450;
    private const double TargetRate = 50_000;

    private const int MaxBatchBlocks = 50;
    private const int MaxBatchInputsAndOutputs = 20_000;

    public static IReadOnlyList<Metric> Catchup(BenchmarkOptions options) => CatchupAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<Metric>> CatchupAsync(BenchmarkOptions options)
    {
        var chainOptions = options.Quick
            ? new RegtestChainOptions { Transactions = 2_000, TransactionsPerBlock = 500, FanOutCoins = 4_000 }
            : new RegtestChainOptions();
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "catchup", Wallet = false, TxIndex = false, Rest = true });
        var chain = await new RegtestChainBuilder(chainOptions).BuildAsync(node);
        // The indexer also scans genesis (one output; never a coin).
        var work = chain.Inputs + chain.Outputs + 1;
        var blocks = chain.Height + 1;
        Console.WriteLine(
            $"  chain: {blocks:N0} blocks, {chain.Transactions:N0} transactions, {chain.Inputs:N0} inputs + {chain.Outputs:N0} outputs, " +
            $"{chain.UtxoCount:N0} unspent, {chain.DistinctScripts:N0} distinct scripts, {chain.Blocks.Sum(b => (long)b.Size) / 1e6:F1} MB; " +
            $"outputs {string.Join(", ", chain.OutputsByType.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:N0}"))}");
        Console.WriteLine($"  built and submitted in {chain.Elapsed.TotalSeconds:F1} s (generation {chain.GenerateTime.TotalSeconds:F1} s of it)");
        var metrics = new List<Metric>
        {
            new("chain: transactions", chain.Transactions, "tx"),
            new("chain: inputs+outputs", work, "count"),
            new("chain: build + submit seconds", chain.Elapsed.TotalSeconds, "s"),
            new("chain: build + submit transactions/s", chain.Transactions / chain.Elapsed.TotalSeconds, "1/s"),
        };

        var engines = new List<StoreEngine> { StoreEngine.Sqlite };
        var postgres = Environment.GetEnvironmentVariable("COINSHARD_TEST_POSTGRES") is { Length: > 0 } admin ? admin : null;
        if (postgres is not null)
        {
            engines.Add(StoreEngine.PostgreSql);
        }
        else
        {
            Console.WriteLine("  (PostgreSQL skipped: COINSHARD_TEST_POSTGRES is not set)");
        }

        double? sqliteUtxoRate = null;
        double? sqliteUtxoPeak = null;
        foreach (var engine in engines)
        {
            foreach (var mode in new[] { IndexMode.Utxo, IndexMode.Full })
            {
                var label = $"{(engine == StoreEngine.Sqlite ? "SQLite" : "PostgreSQL")} {mode.ToString().ToLowerInvariant()}";
                await using (var store = await ScratchStore.CreateAsync(engine, postgres))
                {
                    var nodeCpuBefore = ProcessCpu(node.ProcessId);
                    var result = await RunChildAsync(node, store.Options, mode, chain);
                    var nodeCpu = ProcessCpu(node.ProcessId) - nodeCpuBefore;
                    var size = await store.SizeAsync();
                    var rate = work / result.Seconds;
                    metrics.Add(new($"{label}: catch-up seconds", result.Seconds, "s"));
                    metrics.Add(new($"{label}: blocks/s", blocks / result.Seconds, "1/s"));
                    metrics.Add(new($"{label}: inputs+outputs/s", rate, "1/s"));
                    metrics.Add(new($"{label}: peak RSS (indexer process)", result.PeakRss / 1e6, "MB"));
                    metrics.Add(new($"{label}: database size", size / 1e6, "MB"));
                    metrics.Add(new($"{label}: indexer CPU (cores busy)", result.CpuSeconds / result.Seconds, "cores"));
                    // Less sensitive to other load on the machine than the wall-clock rate.
                    metrics.Add(new($"{label}: inputs+outputs per indexer CPU second", work / result.CpuSeconds, "1/s"));
                    metrics.Add(new($"{label}: node CPU (cores busy)", nodeCpu / result.Seconds, "cores"));
                    Console.WriteLine(
                        $"  {label}: {result.Seconds:F1} s, {result.WriteTransactions} write transactions; fetch {result.FetchSeconds:F1} s summed over " +
                        $"{result.Fetches} calls ({result.FetchedBytes / 1e6:F0} MB); GC {result.GcPauseSeconds:F2} s paused, {result.Gen2Collections} gen2, " +
                        $"{result.AllocatedBytes / 1e9:F1} GB allocated; indexer CPU {result.CpuSeconds:F1} s, node CPU {nodeCpu:F1} s");
                    if (engine == StoreEngine.Sqlite && mode == IndexMode.Utxo)
                    {
                        (sqliteUtxoRate, sqliteUtxoPeak) = (rate, result.PeakRss / 1e6);
                    }
                }
                await using (var store = await ScratchStore.CreateAsync(engine, postgres))
                {
                    var profile = await ProfileAsync(node, store.Options, mode, work);
                    Console.WriteLine($"  {label} stage profile (sequential): {profile}");
                    metrics.Add(new($"{label}: profile fetch share", profile.Share(profile.Fetch), "%"));
                    metrics.Add(new($"{label}: profile scan share", profile.Share(profile.Scan), "%"));
                    metrics.Add(new($"{label}: profile resolve (CPU) share", profile.Share(profile.Resolve - profile.CoinReads), "%"));
                    metrics.Add(new($"{label}: profile coin reads share", profile.Share(profile.CoinReads), "%"));
                    metrics.Add(new($"{label}: profile commit share", profile.Share(profile.Commit), "%"));
                }
            }
        }

        metrics.Add(new("reference: C++ Electrum server inputs+outputs/s (1 core)", ReferenceRate, "1/s"));
        metrics.Add(new("reference: C++ Electrum server peak RSS", ReferencePeakMegabytes, "MB"));
        metrics.Add(new("target: SQLite inputs+outputs/s", TargetRate, "1/s"));
        if (sqliteUtxoRate is { } ours)
        {
            metrics.Add(new("SQLite utxo vs reference", ours / ReferenceRate, "x"));
            Console.WriteLine(
                $"  SQLite utxo: {ours:N0} inputs+outputs/s and {sqliteUtxoPeak:N0} MB peak against the reference's {ReferenceRate:N0}/s and {ReferencePeakMegabytes:N0} MB " +
                $"({ours / ReferenceRate:F2}x; target {TargetRate:N0}/s {(ours >= TargetRate ? "met" : "NOT met")}){(options.Quick ? " — quick run, not representative" : "")}");
        }
        return metrics;
    }

    // ------------------------------------------------------------------ the child (real indexer)

    /// <summary>What the child reports.</summary>
    private sealed record ChildResult(
        double Seconds, long Blocks, long WriteTransactions, double FetchSeconds, long Fetches, long FetchedBytes,
        long PeakRss, double CpuSeconds, double GcPauseSeconds, int Gen2Collections, long AllocatedBytes);

    private static async Task<ChildResult> RunChildAsync(LitecoindNode node, StoreOptions store, IndexMode mode, RegtestChain chain)
    {
        var info = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath!,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            info.ArgumentList.Add(typeof(CatchupBenchmarks).Assembly.Location);
        }
        foreach (var argument in new[]
        {
            ChildFlag, node.RpcUrl.ToString(), node.RpcUser, node.RpcPassword,
            store.Engine.ToString(), store.ConnectionString, mode.ToString(), chain.TipHash.ToString(),
        })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the catch-up child");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the catch-up child failed (exit {process.ExitCode}): {output}");
        }
        return JsonSerializer.Deserialize<ChildResult>(line)!;
    }

    /// <summary>The child's main: index the node's chain from genesis and report.</summary>
    public static async Task<int> ChildMainAsync(string[] args)
    {
        var (url, user, password) = (new Uri(args[1]), args[2], args[3]);
        var store = Enum.Parse<StoreEngine>(args[4]) == StoreEngine.Sqlite ? StoreOptions.Sqlite(args[5]) : StoreOptions.PostgreSql(args[5]);
        var mode = Enum.Parse<IndexMode>(args[6]);
        var tip = Hash256.Parse(args[7]);

        using var core = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions { Url = url, Credentials = RpcCredentials.FromUserPassword(user, password) });
        var backend = new TimedBlockSource(core);
        await using var system = new ActorSystem("catchup", new ActorSystemOptions { LoggerFactory = NullLoggerFactory.Instance });
        var stopwatch = Stopwatch.StartNew();
        var index = await CurrencyIndexer.StartAsync(new IndexerOptions(Network.LitecoinRegtest) { Mode = mode }, backend, store, system, NullLoggerFactory.Instance);
        while (index.Status.IndexTip?.Hash != tip)
        {
            if (index.Status.State == FollowerState.Faulted || stopwatch.Elapsed > TimeSpan.FromHours(1))
            {
                Console.WriteLine($"catch-up failed: {index.Status}");
                return 1;
            }
            await Task.Delay(5);
        }
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var (blocks, writes) = index.WriteCounters;
        using var self = Process.GetCurrentProcess();
        var result = new ChildResult(
            seconds, blocks, writes, backend.FetchSeconds, backend.Fetches, backend.FetchedBytes,
            ProcStatus.Bytes("VmHWM") ?? self.PeakWorkingSet64, self.TotalProcessorTime.TotalSeconds,
            GC.GetTotalPauseDuration().TotalSeconds, GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
        await index.DisposeAsync();
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>CPU seconds (user + system) a process has used, from /proc/PID/stat (0 where unknown).</summary>
    private static double ProcessCpu(int? pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15 (clock ticks, 100/s).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    // ------------------------------------------------------------------ the stage profile

    private sealed record StageProfile(double Fetch, double Scan, double Resolve, double CoinReads, double Commit, double Work)
    {
        public double Total => Fetch + Scan + Resolve + Commit;

        public double Share(double part) => 100 * part / Total;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"fetch {Fetch:F1} s ({Share(Fetch):F0}%), scan {Scan:F1} s ({Share(Scan):F0}%), resolve {Resolve - CoinReads:F1} s ({Share(Resolve - CoinReads):F0}%) " +
            $"+ coin reads {CoinReads:F1} s ({Share(CoinReads):F0}%), commit {Commit:F1} s ({Share(Commit):F0}%); total {Total:F1} s = {Work / Total:N0} inputs+outputs/s without overlap");
    }

    /// <summary>The follower's steps one after another on the same blocks, each timed.</summary>
    private static async Task<StageProfile> ProfileAsync(LitecoindNode node, StoreOptions storeOptions, IndexMode mode, long work)
    {
        using var core = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions { Url = node.RpcUrl, Credentials = RpcCredentials.FromUserPassword(node.RpcUser, node.RpcPassword) });
        var settings = ChainStoreSettings.Default(Network.LitecoinRegtest, mode);
        await using var store = await ChainStore.OpenAsync(storeOptions, settings);
        await store.InitializeAsync(settings);
        var lease = await store.TryAcquireLeaseAsync("profile", TimeSpan.FromHours(1)) ?? throw new InvalidOperationException("the profile could not take the lease");
        var builder = new BlockDeltaBuilder(Network.LitecoinRegtest, mode);

        var clock = new Stopwatch();
        double fetch = 0, scan = 0, resolve = 0, reads = 0, commit = 0;
        CoinLookup lookup = async (outPoints, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            var coins = await store.GetCoinsAsync(outPoints, ct);
            reads += Stopwatch.GetElapsedTime(started).TotalSeconds;
            return coins;
        };

        var height = 0;
        var batch = new List<ScannedBlock>();
        var batchWork = 0;
        while (true)
        {
            clock.Restart();
            var hashes = await core.GetBlockHashesAsync(height, 500);
            fetch += clock.Elapsed.TotalSeconds;
            if (hashes.Count == 0)
            {
                break;
            }
            foreach (var hash in hashes)
            {
                clock.Restart();
                var raw = await core.GetBlockAsync(hash);
                fetch += clock.Elapsed.TotalSeconds;
                clock.Restart();
                var scanned = builder.Scan(raw, height++);
                scan += clock.Elapsed.TotalSeconds;
                if (batch.Count > 0 && (batch.Count == MaxBatchBlocks || batchWork + scanned.InputsAndOutputs > MaxBatchInputsAndOutputs))
                {
                    (resolve, commit) = await ConnectAsync(batch, resolve, commit);
                    batch.Clear();
                    batchWork = 0;
                }
                batch.Add(scanned);
                batchWork += scanned.InputsAndOutputs;
            }
        }
        if (batch.Count > 0)
        {
            (resolve, commit) = await ConnectAsync(batch, resolve, commit);
        }
        return new StageProfile(fetch, scan, resolve, reads, commit, work);

        async Task<(double Resolve, double Commit)> ConnectAsync(List<ScannedBlock> blocks, double resolveSoFar, double commitSoFar)
        {
            clock.Restart();
            var resolved = await builder.ResolveAsync(blocks, lookup);
            resolveSoFar += clock.Elapsed.TotalSeconds;
            clock.Restart();
            await store.ConnectBlocksAsync(resolved.Deltas, lease);
            commitSoFar += clock.Elapsed.TotalSeconds;
            return (resolveSoFar, commitSoFar);
        }
    }

    // ------------------------------------------------------------------ stores and the timed source

    /// <summary>A fresh SQLite file in a temporary directory or a fresh PostgreSQL schema, and its size on disk.</summary>
    private sealed class ScratchStore : IAsyncDisposable
    {
        private readonly string? _directory;
        private readonly string? _admin;
        private readonly string? _schema;

        private ScratchStore(StoreOptions options, string? directory, string? admin, string? schema)
        {
            Options = options;
            _directory = directory;
            _admin = admin;
            _schema = schema;
        }

        public StoreOptions Options { get; }

        public static async Task<ScratchStore> CreateAsync(StoreEngine engine, string? admin)
        {
            if (engine == StoreEngine.Sqlite)
            {
                var directory = Directory.CreateTempSubdirectory("coinshard-catchup-").FullName;
                return new ScratchStore(StoreOptions.Sqlite(Path.Combine(directory, "index.db")), directory, null, null);
            }
            var schema = "catchup_" + Guid.NewGuid().ToString("N");
            await ExecuteAsync(admin!, $"CREATE SCHEMA {schema}");
            var options = StoreOptions.PostgreSql(new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString);
            return new ScratchStore(options, null, admin, schema);
        }

        /// <summary>SQLite: the database file with its WAL and shared-memory files. PostgreSQL: the schema's tables with their indexes and TOAST.</summary>
        public async Task<long> SizeAsync()
        {
            if (_directory is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                return new DirectoryInfo(_directory).EnumerateFiles().Sum(f => f.Length);
            }
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema AND c.relkind IN ('r', 'm')",
                connection);
            command.Parameters.AddWithValue("schema", _schema!);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            if (_directory is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(_directory, recursive: true);
            }
            if (_schema is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(_admin!, $"DROP SCHEMA IF EXISTS {_schema} CASCADE");
            }
        }

        private static async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>An <see cref="IBlockSource"/> that times the block fetches of the one it wraps (summed over concurrent calls).</summary>
    private sealed class TimedBlockSource(IBlockSource inner) : IBlockSource
    {
        private long _fetchTicks;
        private long _fetches;
        private long _bytes;

        public double FetchSeconds => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _fetchTicks)).TotalSeconds;

        public long Fetches => Interlocked.Read(ref _fetches);

        public long FetchedBytes => Interlocked.Read(ref _bytes);

        public string Name => inner.Name;

        public Network Network => inner.Network;

        public BackendCapabilities Capabilities => inner.Capabilities;

        public BackendHealth Health => inner.Health;

        public async Task<byte[]> GetBlockAsync(Hash256 blockHash, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var block = await inner.GetBlockAsync(blockHash, cancellationToken);
            Interlocked.Add(ref _fetchTicks, Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _fetches);
            Interlocked.Add(ref _bytes, block.Length);
            return block;
        }

        public Task<ChainTip> WaitForNewTipAsync(Hash256 knownTip, TimeSpan timeout, CancellationToken cancellationToken = default) =>
            inner.WaitForNewTipAsync(knownTip, timeout, cancellationToken);

        public Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default) => inner.GetChainStateAsync(cancellationToken);

        public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default) => inner.GetBlockHashAsync(height, cancellationToken);

        public Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default) =>
            inner.GetBlockHashesAsync(fromHeight, count, cancellationToken);

        public Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default) =>
            inner.GetBlockHeaderAsync(blockHash, cancellationToken);
    }
}
