using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

using Coinshard.Actors;
using Coinshard.Backends.Core;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Electrum.Gateway;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Server;
using Coinshard.Indexing;
using Coinshard.Storage;
using Coinshard.TestSupport.Chains;
using Coinshard.TestSupport.Litecoind;

using Microsoft.Extensions.Logging.Abstractions;

namespace Coinshard.Benchmarks;

/// <summary>
/// electrum.load: <c>blockchain.scripthash.get_balance</c> and <c>listunspent</c> requests per second against the
/// real gateway over a real index. A litecoind regtest chain of 100,000 transactions (2,000 with --quick) is built
/// with <see cref="RegtestChainBuilder"/>, indexed in utxo mode on SQLite by the real indexer, then served by an
/// <see cref="ElectrumGateway"/> in a child process (this program with <see cref="ChildFlag"/>) while this process
/// runs the load: 100 TCP connections, each keeping 8 (then 1) requests in flight, each request for a scripthash
/// drawn at random from every output script of the chain. Latency is from the write of a request's window to the
/// arrival of its answer. Client and server share the 2 cores, as in the reference measurement.
/// </summary>
/// <remarks>
/// The per-session cost throttle is turned off in the child (a benchmark client is one abusive-looking session per
/// connection by design); everything else is the gateway as <c>coinshard run</c> assembles it.
/// </remarks>
internal static class ElectrumLoadBenchmark
{
    /// <summary>The argument that makes this program the gateway process of electrum.load.</summary>
    public const string ChildFlag = "--electrum-load-child";

    private const int Connections = 100;

    // A leading C++ Electrum server on this machine, client and server together, 100,000-transaction regtest chain.
    private static readonly Dictionary<(string Method, int Depth), (double Rate, double P99)> Reference = new()
    {
        [("get_balance", 8)] = (78_000, 22),
        [("get_balance", 1)] = (28_000, 8),
        [("listunspent", 8)] = (66_000, double.NaN),
        [("listunspent", 1)] = (31_000, double.NaN),
    };

    public static IReadOnlyList<Metric> Run(BenchmarkOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<Metric>> RunAsync(BenchmarkOptions options)
    {
        var chainOptions = options.Quick
            ? new RegtestChainOptions { Transactions = 2_000, TransactionsPerBlock = 500, FanOutCoins = 4_000 }
            : new RegtestChainOptions();
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "electrum-load", Wallet = false, TxIndex = true, Rest = true });
        var chain = await new RegtestChainBuilder(chainOptions).BuildAsync(node);
        using var directory = new TestSupport.TempDirectory("electrum-load");
        var database = directory.Combine("index.db");
        var rpc = new CoreRpcOptions { Url = node.RpcUrl, Credentials = RpcCredentials.FromUserPassword(node.RpcUser, node.RpcPassword) };

        var indexWatch = Stopwatch.StartNew();
        using (var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, rpc))
        {
            await using var system = new ActorSystem("load", new ActorSystemOptions());
            await using var index = await CurrencyIndexer.StartAsync(new IndexerOptions(Network.LitecoinRegtest), backend, StoreOptions.Sqlite(database), system, NullLoggerFactory.Instance);
            while (index.Status.IndexTip?.Hash != chain.TipHash)
            {
                if (index.Status.State == FollowerState.Faulted)
                {
                    throw new InvalidOperationException($"indexing failed: {index.Status.LastError}");
                }
                await Task.Delay(100);
            }
        }
        var scripthashes = await ScripthashesAsync(rpc, chain);
        Console.WriteLine($"  chain: {chain.Transactions:N0} transactions, {chain.Height + 1:N0} blocks, indexed in {indexWatch.Elapsed.TotalSeconds:F1} s; {scripthashes.Count:N0} distinct output scripts to ask about");

        var metrics = new List<Metric> { new("chain: transactions", chain.Transactions, "tx"), new("chain: distinct scripthashes", scripthashes.Count, "count") };
        // The store alone, without the gateway: what one balance / listing read costs.
        await using (var store = await ChainStore.OpenAsync(StoreOptions.Sqlite(database), Currency.Litecoin))
        {
            var keys = scripthashes.Select(h => Hash256.Parse(h)).ToArray();
            foreach (var (name, read) in new (string, Func<Hash256, Task>)[]
            {
                ("store GetBalanceAsync", h => store.GetBalanceAsync(h)),
                ("store GetCoinsByScripthashAsync", h => store.GetCoinsByScripthashAsync(h, 1000)),
            })
            {
                var rate = await ReadRateAsync(keys, read, TimeSpan.FromSeconds(options.Quick ? 0.5 : 3));
                metrics.Add(new($"{name}, 2 threads: reads/s", rate, "1/s"));
                Console.WriteLine($"  {name}, 2 threads, no gateway: {rate:N0} reads/s");
            }
        }
        await using var child = await GatewayChild.StartAsync(database, node);
        var duration = TimeSpan.FromSeconds(options.Quick ? 1 : 10);
        foreach (var method in new[] { "get_balance", "listunspent" })
        {
            foreach (var depth in new[] { 8, 1 })
            {
                var serverCpu = child.ProcessorTime;
                var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
                var result = await LoadAsync(child.Port, $"blockchain.scripthash.{method}", scripthashes, depth, duration);
                // CPU per answered request (warm-up included): less sensitive than rates to a busy neighbour on a shared host.
                var answered = result.Answered;
                var serverMicros = (child.ProcessorTime - serverCpu).TotalMicroseconds / answered;
                var clientMicros = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMicroseconds / answered;
                var label = $"{method}, {Connections} connections × {depth} in flight";
                metrics.Add(new($"{label}: server CPU per request", serverMicros, "µs"));
                metrics.Add(new($"{label}: client CPU per request", clientMicros, "µs"));
                metrics.Add(new($"{label}: requests/s", result.Rate, "1/s"));
                metrics.Add(new($"{label}: p50 latency", result.P50, "ms"));
                metrics.Add(new($"{label}: p99 latency", result.P99, "ms"));
                var reference = Reference[(method, depth)];
                Console.WriteLine(
                    $"  {label}: {result.Rate:N0}/s, p50 {result.P50:F2} ms, p99 {result.P99:F2} ms, server {serverMicros:F1} µs CPU/request, client {clientMicros:F1}, {result.Errors} errors " +
                    $"(reference {reference.Rate:N0}/s{(double.IsNaN(reference.P99) ? "" : $", p99 {reference.P99} ms")})");
                if (result.Errors > 0)
                {
                    throw new InvalidOperationException($"{result.Errors} requests of {label} were answered with an error");
                }
            }
        }
        return metrics;
    }

    private static async Task<double> ReadRateAsync(Hash256[] keys, Func<Hash256, Task> read, TimeSpan duration)
    {
        var stop = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, 2).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            long n = 0;
            while (stop.Elapsed < duration)
            {
                await read(keys[random.Next(keys.Length)]);
                n++;
            }
            return n;
        })));
        return counts.Sum() / stop.Elapsed.TotalSeconds;
    }

    /// <summary>Every distinct output script of the chain (OP_RETURN outputs excluded), as Electrum scripthashes.</summary>
    private static async Task<List<string>> ScripthashesAsync(CoreRpcOptions rpc, RegtestChain chain)
    {
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, rpc);
        var seen = new HashSet<Hash256>();
        foreach (var info in chain.Blocks)
        {
            var block = Block.Parse(await backend.GetBlockAsync(info.Hash), Network.LitecoinRegtest);
            foreach (var tx in block.Transactions)
            {
                foreach (var output in tx.Outputs)
                {
                    if (!ScriptClassifier.IsUnspendable(output.ScriptPubKey.Span))
                    {
                        seen.Add(ElectrumScripthash.Compute(output.ScriptPubKey.Span));
                    }
                }
            }
        }
        return [.. seen.Select(h => h.ToString())];
    }

    /// <param name="Answered">Every answer received, warm-up included.</param>
    private sealed record LoadResult(double Rate, double P50, double P99, long Errors, long Answered);

    private static async Task<LoadResult> LoadAsync(int port, string method, IReadOnlyList<string> scripthashes, int depth, TimeSpan duration)
    {
        var warmup = TimeSpan.FromSeconds(Math.Min(1, duration.TotalSeconds));
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, Connections).Select(i => Task.Run(() => ConnectionAsync(port, method, scripthashes, depth, i, measureFrom, stopAt))).ToList();
        var results = await Task.WhenAll(workers);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        var count = results.Sum(r => r.Latencies.Count);
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(count / duration.TotalSeconds, Percentile(0.50), Percentile(0.99), results.Sum(r => r.Errors), results.Sum(r => r.Answered));
    }

    private sealed record ConnectionResult(List<long> Latencies, long Errors, long Answered);

    private static async Task<ConnectionResult> ConnectionAsync(int port, string method, IReadOnlyList<string> scripthashes, int depth, int seed, long measureFrom, long stopAt)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var random = new Random(seed);
        var reader = new LineCounter(socket);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":0,"method":"server.version","params":["load",["1.4","1.4"]]}""" + "\n"));
        await reader.ReadLinesAsync(1, null, 0);
        var latencies = new List<long>();
        long errors = 0;
        long answered = 0;
        var window = new StringBuilder();
        var id = 1;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            window.Clear();
            for (var i = 0; i < depth; i++)
            {
                window.Append("{\"jsonrpc\":\"2.0\",\"id\":").Append(id++).Append(",\"method\":\"").Append(method)
                    .Append("\",\"params\":[\"").Append(scripthashes[random.Next(scripthashes.Count)]).Append("\"]}\n");
            }
            var sent = Stopwatch.GetTimestamp();
            await socket.SendAsync(Encoding.UTF8.GetBytes(window.ToString()));
            var measuring = sent >= measureFrom;
            errors += await reader.ReadLinesAsync(depth, measuring ? latencies : null, sent);
            answered += depth;
        }
        return new ConnectionResult(latencies, errors, answered);
    }

    /// <summary>Reads answer lines from the socket, noting each one's arrival and counting errors.</summary>
    private sealed class LineCounter(Socket socket)
    {
        private static readonly byte[] ErrorKey = Encoding.UTF8.GetBytes("\"error\":");
        private readonly byte[] _buffer = new byte[1 << 16];
        private readonly List<byte> _line = [];

        public async Task<long> ReadLinesAsync(int lines, List<long>? latencies, long sent)
        {
            long errors = 0;
            while (lines > 0)
            {
                var read = await socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("the gateway closed the connection");
                }
                var now = Stopwatch.GetTimestamp();
                var from = 0;
                for (var i = 0; i < read; i++)
                {
                    if (_buffer[i] != (byte)'\n')
                    {
                        continue;
                    }
                    _line.AddRange(_buffer.AsSpan(from, i - from));
                    if (_line.Count < 4096 && _line.ToArray().AsSpan().IndexOf(ErrorKey) >= 0)
                    {
                        errors++;
                    }
                    _line.Clear();
                    from = i + 1;
                    latencies?.Add(now - sent);
                    lines--;
                }
                _line.AddRange(_buffer.AsSpan(from, read - from));
            }
            return errors;
        }
    }

    /// <summary>The gateway process: an Electrum gateway over the index file and the node, TCP only.</summary>
    private sealed class GatewayChild : IAsyncDisposable
    {
        private readonly Process _process;

        private GatewayChild(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public TimeSpan ProcessorTime
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        public static async Task<GatewayChild> StartAsync(string database, LitecoindNode node)
        {
            var info = new ProcessStartInfo { FileName = Environment.ProcessPath!, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                info.ArgumentList.Add(typeof(ElectrumLoadBenchmark).Assembly.Location);
            }
            foreach (var argument in new[] { ChildFlag, database, node.RpcUrl.ToString(), node.RpcUser, node.RpcPassword })
            {
                info.ArgumentList.Add(argument);
            }
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the gateway process");
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120))
                ?? throw new InvalidOperationException("the gateway process exited");
            return new GatewayChild(process, int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    /// <summary>The child: serves until its standard input closes.</summary>
    public static async Task<int> ChildMainAsync(string[] args)
    {
        var (database, url, user, password) = (args[1], args[2], args[3], args[4]);
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions { Url = new Uri(url), Credentials = RpcCredentials.FromUserPassword(user, password) });
        await using var store = await ChainStore.OpenAsync(StoreOptions.Sqlite(database), Currency.Litecoin);
        var server = new ElectrumServerOptions
        {
            BindAddress = "127.0.0.1",
            Tcp = new ElectrumListenerOptions { Port = TestSupport.FreePorts.Next() },
            Tls = new ElectrumListenerOptions { Port = 0 },
            WebSocket = new ElectrumListenerOptions { Port = 0 },
            SecureWebSocket = new ElectrumListenerOptions { Port = 0 },
        };
        server.Limits.CostRefillPerSecond = 0;
        server.Limits.IpCostRefillPerSecond = 0;
        await using var gateway = await ElectrumGateway.StartAsync(
            new ElectrumGatewayOptions(Network.LitecoinRegtest, IndexMode.Utxo, server, new ElectrumServerInfo()), store, backend, NullLoggerFactory.Instance);
        Console.WriteLine($"READY {server.Tcp.Port}");
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
