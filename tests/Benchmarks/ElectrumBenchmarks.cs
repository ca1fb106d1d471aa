using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Server;
using Coinshard.Electrum.Sessions;

using Microsoft.Extensions.Logging.Abstractions;

namespace Coinshard.Benchmarks;

/// <summary>
/// Benchmarks of the Electrum transport (src/Electrum/Server, Sessions). The server runs in a child
/// process (this program started with <see cref="ChildFlag"/>) so that its memory is measured
/// without the client sockets: the parent opens the sessions, the child reports, after a forced
/// compacting collection, its live managed heap and its resident anonymous memory (RssAnon from
/// /proc/self/status: heap, stacks, native allocations; not code or other file mappings).
/// Per-session figures are (after - before) / sessions, where "before" is taken after a warm-up
/// that opened, used and closed 200 sessions (JIT, thread pool and buffer pools already grown).
/// The handler is a trivial echo, so the figures are the transport's own cost.
/// </summary>
internal static class ElectrumBenchmarks
{
    /// <summary>The argument that makes this program the benchmark's server process.</summary>
    public const string ChildFlag = "--electrum-server-child";

    private static readonly byte[] VersionRequest =
        Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":0,"method":"server.version","params":["benchmark",["1.4","1.6"]]}""" + "\n");

    private static readonly byte[] EchoRequest = Encoding.UTF8.GetBytes("""{"id":1,"method":"echo","params":[1]}""" + "\n");

    /// <summary>electrum.idle_sessions: memory per idle, negotiated TCP session.</summary>
    public static IReadOnlyList<Metric> IdleSessions(BenchmarkOptions options) => IdleSessionsAsync(options).GetAwaiter().GetResult();

    /// <summary>electrum.round_trip: requests per second over one TCP connection, one at a time and pipelined.</summary>
    public static IReadOnlyList<Metric> RoundTrip(BenchmarkOptions options) => RoundTripAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<Metric>> IdleSessionsAsync(BenchmarkOptions options)
    {
        var count = options.Quick ? 1_000 : 10_000;
        var limit = FileDescriptorLimit();
        if (limit is { } fds && fds < count + 200)
        {
            Console.WriteLine($"  (the file descriptor limit is {fds}: measuring {fds - 200} sessions instead of {count})");
            count = (int)fds - 200;
        }
        var secureCount = options.Quick ? 200 : 2_000;
        await using var child = await ServerChild.StartAsync(count + 500);
        var metrics = new List<Metric>();
        await MeasureIdleAsync(child, "TCP", count, () => OpenTcpAsync(child.TcpPort), metrics);
        await MeasureIdleAsync(child, "TLS", secureCount, () => OpenTlsAsync(child.TlsPort, child.Thumbprint), metrics);
        await MeasureIdleAsync(child, "WebSocket", secureCount, () => OpenWebSocketAsync(child.WsPort), metrics);
        return metrics;
    }

    /// <summary>Opens <paramref name="count"/> negotiated sessions (100 at a time) and reports the server's memory growth per session.</summary>
    private static async Task MeasureIdleAsync(ServerChild child, string transport, int count, Func<Task<IAsyncDisposable>> open, List<Metric> metrics)
    {
        // Warm-up: open, negotiate and close sessions, so that "before" already includes what the
        // first sessions grow once (JIT, pools, thread pool threads).
        foreach (var session in await OpenManyAsync(200, open))
        {
            await session.DisposeAsync();
        }
        await child.WaitForSessionsAsync(0);
        var before = await child.MeasureAsync();

        var stopwatch = Stopwatch.StartNew();
        var sessions = await OpenManyAsync(count, open);
        var openRate = count / stopwatch.Elapsed.TotalSeconds;
        await child.WaitForSessionsAsync(count);
        await Task.Delay(TimeSpan.FromSeconds(1)); // let the sessions settle into idle
        var after = await child.MeasureAsync();
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
        await child.WaitForSessionsAsync(0);

        metrics.Add(new($"{transport}: idle negotiated sessions", after.Sessions, "sessions"));
        metrics.Add(new($"{transport}: resident memory (RssAnon) per session", (after.RssAnon - before.RssAnon) / 1024.0 / count, "KB"));
        metrics.Add(new($"{transport}: live managed heap per session", (after.ManagedHeap - before.ManagedHeap) / 1024.0 / count, "KB"));
        metrics.Add(new($"{transport}: sessions opened + negotiated per second", openRate, "1/s"));
    }

    private static async Task<IAsyncDisposable[]> OpenManyAsync(int count, Func<Task<IAsyncDisposable>> open)
    {
        var sessions = new IAsyncDisposable[count];
        using var gate = new SemaphoreSlim(100);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                sessions[i] = await open();
            }
            finally
            {
                gate.Release();
            }
        }));
        return sessions;
    }

    private static async Task<IAsyncDisposable> OpenTcpAsync(int port) => new SocketSession((await OpenSessionsAsync(port, 1))[0]);

    private static async Task<IAsyncDisposable> OpenTlsAsync(int port, string thumbprint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false,
            (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint);
        await ssl.AuthenticateAsClientAsync("localhost");
        await ssl.WriteAsync(VersionRequest);
        var buffer = new byte[256];
        var read = 0;
        while (read == 0 || buffer[read - 1] != (byte)'\n')
        {
            var n = await ssl.ReadAsync(buffer.AsMemory(read));
            read += n > 0 ? n : throw new IOException("the server closed the connection");
        }
        return ssl;
    }

    private static async Task<IAsyncDisposable> OpenWebSocketAsync(int port)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), CancellationToken.None);
        await socket.SendAsync(VersionRequest.AsMemory(0, VersionRequest.Length - 1), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[256];
        while (!(await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None)).EndOfMessage)
        {
        }
        return new WebSocketSession(socket);
    }

    private sealed class WebSocketSession(ClientWebSocket socket) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            socket.Abort();
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<IReadOnlyList<Metric>> RoundTripAsync(BenchmarkOptions options)
    {
        await using var child = await ServerChild.StartAsync(100);
        var budget = Measure.Budget(options, 3);
        using var socket = (await OpenSessionsAsync(child.TcpPort, 1))[0];
        var reader = new LineCounter(socket, 64 * 1024);

        // One at a time: the latency of the whole path (client, loopback, Kestrel, session, handler).
        var stopwatch = Stopwatch.StartNew();
        long sequential = 0;
        while (stopwatch.Elapsed < TimeSpan.FromMilliseconds(200))
        {
            await RoundTripOnceAsync(socket, reader);
        }
        stopwatch.Restart();
        while (stopwatch.Elapsed < budget)
        {
            await RoundTripOnceAsync(socket, reader);
            sequential++;
        }
        var sequentialRate = sequential / stopwatch.Elapsed.TotalSeconds;

        // Pipelined: keep 64 requests in flight on the same connection.
        const int window = 64;
        var request = Encoding.UTF8.GetBytes("""{"id":1,"method":"echo","params":["0123456789abcdef0123456789abcdef"]}""" + "\n");
        var batch = new byte[request.Length * window];
        for (var i = 0; i < window; i++)
        {
            request.CopyTo(batch, i * request.Length);
        }
        stopwatch.Restart();
        await socket.SendAsync(batch);
        long answered = 0;
        while (stopwatch.Elapsed < budget)
        {
            var lines = await reader.ReadLinesAsync();
            answered += lines;
            await socket.SendAsync(batch.AsMemory(0, lines * request.Length));
        }
        var pipelinedRate = answered / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"  (answered {answered}, server handled {await child.HandledAsync()} echo requests in all)");

        return
        [
            new("round trips/s (1 connection, one at a time)", sequentialRate, "1/s"),
            new($"requests/s (1 connection, {window} in flight)", pipelinedRate, "1/s"),
        ];
    }

    private static async Task RoundTripOnceAsync(Socket socket, LineCounter counter)
    {
        await socket.SendAsync(EchoRequest);
        while (await counter.ReadLinesAsync() == 0)
        {
        }
    }

    /// <summary>Opens <paramref name="count"/> connections (100 at a time), each negotiated with server.version.</summary>
    private static async Task<Socket[]> OpenSessionsAsync(int port, int count)
    {
        var sockets = new Socket[count];
        using var gate = new SemaphoreSlim(100);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port);
                await socket.SendAsync(VersionRequest);
                var counter = new LineCounter(socket, 256);
                while (await counter.ReadLinesAsync() == 0)
                {
                }
                sockets[i] = socket;
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
        return sockets;
    }

    private sealed class SocketSession(Socket socket) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The soft limit on open files, from /proc/self/limits (null where unknown).</summary>
    private static long? FileDescriptorLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: >= 4 } && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Counts the newlines (complete answers) arriving on a socket.</summary>
    private sealed class LineCounter(Socket socket, int bufferSize)
    {
        private readonly byte[] _buffer = new byte[bufferSize];

        public async Task<int> ReadLinesAsync()
        {
            var read = await socket.ReceiveAsync(_buffer);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }
            return _buffer.AsSpan(0, read).Count((byte)'\n');
        }
    }

    /// <summary>What the child reports.</summary>
    private sealed record Snapshot(int Sessions, long ManagedHeap, long RssAnon, long WorkingSet);

    /// <summary>The server process.</summary>
    private sealed class ServerChild : IAsyncDisposable
    {
        private readonly Process _process;

        private ServerChild(Process process, string[] ready)
        {
            _process = process;
            TcpPort = int.Parse(ready[1], CultureInfo.InvariantCulture);
            TlsPort = int.Parse(ready[2], CultureInfo.InvariantCulture);
            WsPort = int.Parse(ready[3], CultureInfo.InvariantCulture);
            Thumbprint = ready[4];
        }

        public int TcpPort { get; }

        public int TlsPort { get; }

        public int WsPort { get; }

        /// <summary>The thumbprint of the child's self-signed certificate (the only one the TLS client accepts).</summary>
        public string Thumbprint { get; }

        public static async Task<ServerChild> StartAsync(int maxSessions)
        {
            var info = new ProcessStartInfo
            {
                FileName = Environment.ProcessPath!,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                info.ArgumentList.Add(typeof(ElectrumBenchmarks).Assembly.Location);
            }
            info.ArgumentList.Add(ChildFlag);
            info.ArgumentList.Add(maxSessions.ToString(CultureInfo.InvariantCulture));
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the benchmark server process");
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException("the benchmark server process exited");
            return new ServerChild(process, line.Split(' '));
        }

        public async Task<Snapshot> MeasureAsync()
        {
            await _process.StandardInput.WriteLineAsync("measure");
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120))
                ?? throw new InvalidOperationException("the benchmark server process exited");
            var parts = line.Split(' ').Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            return new Snapshot((int)parts[0], parts[1], parts[2], parts[3]);
        }

        public async Task WaitForSessionsAsync(int sessions)
        {
            var deadline = Stopwatch.StartNew();
            while ((await CountAsync()) != sessions)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"the server did not reach {sessions} sessions");
                }
                await Task.Delay(100);
            }
        }

        public async Task<long> HandledAsync()
        {
            await _process.StandardInput.WriteLineAsync("handled");
            return long.Parse((await _process.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        }

        private async Task<int> CountAsync()
        {
            await _process.StandardInput.WriteLineAsync("count");
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException("the benchmark server process exited");
            return int.Parse(line, CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("quit");
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }

    /// <summary>The child's main: an Electrum server on a free loopback port with an echo handler, driven by stdin.</summary>
    public static async Task<int> ChildMainAsync(string[] args)
    {
        var maxSessions = int.Parse(args[1], CultureInfo.InvariantCulture);
        var directory = Directory.CreateTempSubdirectory("coinshard-bench-tls-");
        try
        {
            var thumbprint = WriteCertificate(directory.FullName);
            var options = new ElectrumServerOptions { BindAddress = "127.0.0.1" };
            options.Tcp.Port = FreePort();
            options.Tls.Port = FreePort();
            options.WebSocket.Port = FreePort();
            options.SecureWebSocket.Port = 0;
            options.Certificate.CertPath = Path.Combine(directory.FullName, "cert.pem");
            options.Certificate.KeyPath = Path.Combine(directory.FullName, "key.pem");
            options.Limits.MaxSessionsTotal = maxSessions;
            options.Limits.CostRefillPerSecond = 0;
            options.Limits.IpCostRefillPerSecond = 0;
            options.Limits.IdleTimeout = TimeSpan.FromHours(1);
            await using var server = await ElectrumServer.StartAsync(options, new EchoHandler(), NullLoggerFactory.Instance, CancellationToken.None);
            Console.WriteLine($"ready {options.Tcp.Port} {options.Tls.Port} {options.WebSocket.Port} {thumbprint}");
            return await ServeCommandsAsync(server);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string WriteCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        return certificate.Thumbprint;
    }

    private static async Task<int> ServeCommandsAsync(ElectrumServer server)
    {
        while (await Console.In.ReadLineAsync() is { } command)
        {
            switch (command)
            {
                case "handled":
                    Console.WriteLine(Interlocked.Read(ref EchoHandler.Handled).ToString(CultureInfo.InvariantCulture));
                    break;
                case "count":
                    Console.WriteLine(server.SessionCount.ToString(CultureInfo.InvariantCulture));
                    break;
                case "measure":
                    for (var i = 0; i < 3; i++)
                    {
                        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                        GC.WaitForPendingFinalizers();
                    }
                    using (var self = Process.GetCurrentProcess())
                    {
                        Console.WriteLine(string.Join(' ', server.SessionCount, GC.GetTotalMemory(false), ProcStatus.Bytes("RssAnon") ?? self.WorkingSet64, self.WorkingSet64));
                    }
                    break;
                case "quit":
                    return 0;
            }
        }
        return 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers <c>echo</c> with its params and counts what it handled (a check on the client's count).</summary>
    private sealed class EchoHandler : IElectrumMethodHandler
    {
        public int CostOf(JsonRpcRequest request) => 1;

        public static long Handled;

        public ValueTask<JsonRpcResponse> HandleAsync(IElectrumSession session, JsonRpcRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Handled);
            return ValueTask.FromResult(request.Method == "echo"
                ? JsonRpcResponse.Success(request.RawId ?? JsonRpcParser.NullId, Encoding.UTF8.GetBytes(request.Params.GetRawText()))
                : JsonRpcResponse.Failure(request.RawId, JsonRpcErrorCodes.MethodNotFound, "unknown method"));
        }

        public void SessionClosed(IElectrumSession session)
        {
        }
    }
}
