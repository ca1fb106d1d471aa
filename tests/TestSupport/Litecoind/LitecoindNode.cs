using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Coinshard.TestSupport.Litecoind;

/// <summary>
/// A real <c>litecoind -regtest</c> (Litecoin Core 0.21, Debian package) in a fresh temp datadir on
/// free loopback ports, driven through the independent <see cref="NodeRpc"/>. It can mine, make
/// wallet addresses of each type, send, connect to and disconnect from other nodes, invalidate
/// blocks, stop gracefully, die by SIGKILL and restart on the same datadir and ports.
/// </summary>
/// <remarks>
/// A node never outlives the test run: dispose kills it; a process-exit hook kills every node still
/// running; and a small watchdog shell kills the node if the test host itself is killed.
/// On regtest MWEB activates at height <see cref="MwebActivationHeight"/>, and no block can be mined
/// there unless a peg-in is in the mempool: use <see cref="MinePastMwebActivationAsync"/>.
/// </remarks>
public sealed class LitecoindNode : IAsyncDisposable
{
    /// <summary>Height of the first block with an MWEB extension block on Litecoin regtest.</summary>
    public const int MwebActivationHeight = 432;

    /// <summary>Name of the wallet the node creates and loads.</summary>
    public const string WalletName = "test";

    public const long SatoshisPerCoin = 100_000_000;

    private static readonly ConcurrentDictionary<LitecoindNode, byte> Running = new();

    private readonly LitecoindNodeOptions _options;
    private readonly TempDirectory _dataDir;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private Process? _process;
    private Process? _watchdog;
    private string? _miningAddress;

    static LitecoindNode()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private LitecoindNode(LitecoindNodeOptions options)
    {
        _options = options;
        _dataDir = new TempDirectory("litecoind-" + options.Name);
        Rpc = new NodeRpc(() => RpcUrl, ReadCredentials);
    }

    /// <summary>The node's name from its options.</summary>
    public string Name => _options.Name;

    /// <summary>The datadir (kept across restarts, deleted on dispose).</summary>
    public string DataDir => _dataDir.Path;

    /// <summary>The RPC (and REST) port on 127.0.0.1.</summary>
    public int RpcPort { get; private set; }

    /// <summary>The P2P port on 127.0.0.1.</summary>
    public int P2PPort { get; private set; }

    /// <summary>The RPC URL, without credentials.</summary>
    public Uri RpcUrl => new($"http://127.0.0.1:{RpcPort}/");

    /// <summary>Whether the node runs with <c>-rest</c>.</summary>
    public bool RestEnabled => _options.Rest;

    /// <summary>Whether RPC uses the cookie file.</summary>
    public bool CookieAuth => _options.CookieAuth;

    /// <summary>Where the node writes its cookie (regtest subdirectory of the datadir).</summary>
    public string CookiePath => Path.Combine(DataDir, "regtest", ".cookie");

    /// <summary>The RPC user (when not using the cookie).</summary>
    public string RpcUser => _options.RpcUser;

    /// <summary>The RPC password (when not using the cookie).</summary>
    public string RpcPassword => _options.RpcPassword;

    /// <summary>The independent RPC helper for driving this node.</summary>
    public NodeRpc Rpc { get; }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The node's process id while it runs (benchmarks read its CPU time from /proc), else null.</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>The litecoind executable: <c>$COINSHARD_LITECOIND</c>, else the Debian binary (bypassing its wrapper script), else <c>litecoind</c> on PATH.</summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("COINSHARD_LITECOIND") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/lib/litecoin/litecoind") ? "/usr/lib/litecoin/litecoind"
        : "litecoind";

    /// <summary>Starts a node and waits until it answers RPC (and has its wallet, unless disabled).</summary>
    public static async Task<LitecoindNode> StartAsync(LitecoindNodeOptions? options = null)
    {
        var node = new LitecoindNode(options ?? new LitecoindNodeOptions());
        try
        {
            await node.LaunchAsync(allowNewPorts: true).ConfigureAwait(false);
            if (node._options.Wallet)
            {
                // load_on_startup = true, so a restart loads it again.
                await node.Rpc.CallAsync("createwallet", WalletName, false, false, "", false, false, true).ConfigureAwait(false);
            }
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // ---- lifecycle ----

    /// <summary>Stops the node with the <c>stop</c> RPC and waits for the process to exit (kills it if it hangs).</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }
        try
        {
            await Rpc.CallAsync("stop").ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or NodeRpcException or IOException or TaskCanceledException)
        {
            // Already going down.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process!.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process!.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        CleanUpProcess();
    }

    /// <summary>
    /// Kills the node with SIGKILL (no clean shutdown), as a crash would: like a real crash, blocks since the
    /// node last wrote its chain state may be lost. Call <see cref="FlushAsync"/> first to keep them.
    /// </summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        CleanUpProcess();
    }

    /// <summary>Starts a stopped or killed node again on the same datadir and ports.</summary>
    public Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"node {Name} is already running");
        }
        return LaunchAsync(allowNewPorts: false);
    }

    /// <summary>Stops gracefully and starts again on the same datadir and ports.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAgainAsync().ConfigureAwait(false);
    }

    /// <summary>Kills the node and deletes its datadir.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        Rpc.Dispose();
        _dataDir.Dispose();
    }

    /// <summary>The node's console output and the tail of its debug.log, for failure messages.</summary>
    public string Diagnostics()
    {
        string output;
        lock (_outputLock)
        {
            output = _output.ToString();
        }
        var logPath = Path.Combine(DataDir, "regtest", "debug.log");
        var log = "";
        try
        {
            if (File.Exists(logPath))
            {
                var lines = File.ReadAllLines(logPath);
                log = string.Join("\n", lines.Skip(Math.Max(0, lines.Length - 30)));
            }
        }
        catch (IOException)
        {
        }
        return $"node {Name} (rpc {RpcPort}, p2p {P2PPort}, datadir {DataDir})\n--- output ---\n{output}\n--- debug.log (tail) ---\n{log}";
    }

    // ---- chain helpers ----

    /// <summary>Current height.</summary>
    public async Task<int> GetBlockCountAsync() => (int)await Rpc.CallInt64Async("getblockcount").ConfigureAwait(false);

    /// <summary>Current tip hash (display hex).</summary>
    public Task<string> GetBestBlockHashAsync() => Rpc.CallStringAsync("getbestblockhash");

    /// <summary>Mines <paramref name="blocks"/> blocks to <paramref name="address"/> (default: a wallet address, or an anyone-can-spend script without a wallet) and returns their hashes.</summary>
    public async Task<IReadOnlyList<string>> MineAsync(int blocks, string? address = null)
    {
        JsonElement hashes;
        if (address is null && !_options.Wallet)
        {
            hashes = await Rpc.CallAsync("generatetodescriptor", blocks, "raw(51)").ConfigureAwait(false);
        }
        else
        {
            address ??= _miningAddress ??= await NewAddressAsync(AddressKind.Bech32).ConfigureAwait(false);
            hashes = await Rpc.CallAsync("generatetoaddress", blocks, address).ConfigureAwait(false);
        }
        return hashes.EnumerateArray().Select(h => h.GetString()!).ToList();
    }

    /// <summary>A new wallet address of <paramref name="kind"/>.</summary>
    public Task<string> NewAddressAsync(AddressKind kind = AddressKind.Bech32) =>
        Rpc.CallStringAsync("getnewaddress", "", kind switch
        {
            AddressKind.Legacy => "legacy",
            AddressKind.P2shSegwit => "p2sh-segwit",
            AddressKind.Bech32 => "bech32",
            AddressKind.Mweb => "mweb",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        });

    /// <summary>Sends <paramref name="satoshis"/> from the wallet to <paramref name="address"/>; returns the txid.</summary>
    public Task<string> SendAsync(string address, long satoshis) =>
        Rpc.CallStringAsync("sendtoaddress", address, Coins(satoshis));

    /// <summary>Pays several addresses in one transaction; returns the txid.</summary>
    public Task<string> SendManyAsync(IReadOnlyDictionary<string, long> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        return Rpc.CallStringAsync("sendmany", "", amounts.ToDictionary(a => a.Key, a => Coins(a.Value)));
    }

    /// <summary>The wallet's trusted balance in satoshis.</summary>
    public async Task<long> GetBalanceAsync()
    {
        var balance = await Rpc.CallAsync("getbalance").ConfigureAwait(false);
        return (long)(decimal.Parse(balance.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * SatoshisPerCoin);
    }

    /// <summary>Makes sure the wallet has at least <paramref name="satoshis"/> of mature coins, mining (to itself) as needed.</summary>
    public async Task EnsureFundsAsync(long satoshis = 10 * SatoshisPerCoin)
    {
        if (await GetBalanceAsync().ConfigureAwait(false) >= satoshis)
        {
            return;
        }
        // Coinbase outputs mature after 100 blocks.
        await MineAsync(101).ConfigureAwait(false);
        while (await GetBalanceAsync().ConfigureAwait(false) < satoshis)
        {
            await MineAsync(10).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Mines to at least height <see cref="MwebActivationHeight"/> + <paramref name="extraBlocks"/>, making the
    /// peg-in (a wallet send to an MWEB address) that the activation block needs. The wallet must be able to
    /// get mature coins before height 431 (a fresh node can).
    /// </summary>
    public async Task MinePastMwebActivationAsync(int extraBlocks = 1)
    {
        var height = await GetBlockCountAsync().ConfigureAwait(false);
        if (height < MwebActivationHeight)
        {
            if (await GetBalanceAsync().ConfigureAwait(false) < 2 * SatoshisPerCoin)
            {
                var toMine = Math.Min(101, MwebActivationHeight - 1 - height);
                if (toMine > 0)
                {
                    await MineAsync(toMine).ConfigureAwait(false);
                }
                if (await GetBalanceAsync().ConfigureAwait(false) < 2 * SatoshisPerCoin)
                {
                    throw new InvalidOperationException($"node {Name}: no mature wallet coins for the MWEB peg-in; mine 101 blocks to the wallet before height {MwebActivationHeight - 101}");
                }
            }
            height = await GetBlockCountAsync().ConfigureAwait(false);
            if (height < MwebActivationHeight - 1)
            {
                await MineAsync(MwebActivationHeight - 1 - height).ConfigureAwait(false);
            }
            await SendAsync(await NewAddressAsync(AddressKind.Mweb).ConfigureAwait(false), SatoshisPerCoin).ConfigureAwait(false);
            height = await GetBlockCountAsync().ConfigureAwait(false);
        }
        var target = MwebActivationHeight + extraBlocks;
        if (height < target)
        {
            await MineAsync(target - height).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the node is executing an RPC named <paramref name="method"/> (<c>getrpcinfo</c>'s active commands), e.g. a client's long poll.</summary>
    public Task WaitForActiveCommandAsync(string method) =>
        Eventually.TrueAsync(
            async () => (await Rpc.CallAsync("getrpcinfo").ConfigureAwait(false)).GetProperty("active_commands").EnumerateArray()
                .Any(c => c.GetProperty("method").GetString() == method),
            $"{Name} is executing {method}");

    /// <summary>Makes the node write its chain state to disk (<c>gettxoutsetinfo</c> forces a flush), so a crash loses nothing before this point.</summary>
    public Task FlushAsync() => Rpc.CallAsync("gettxoutsetinfo", "none");

    /// <summary>Marks a block invalid, rewinding the chain below it.</summary>
    public Task InvalidateBlockAsync(string blockHash) => Rpc.CallAsync("invalidateblock", blockHash);

    /// <summary>Removes an invalidity mark set by <see cref="InvalidateBlockAsync"/>.</summary>
    public Task ReconsiderBlockAsync(string blockHash) => Rpc.CallAsync("reconsiderblock", blockHash);

    // ---- peers ----

    /// <summary>Connects to <paramref name="other"/> (<c>addnode … onetry</c>) and waits for the handshake.</summary>
    public async Task ConnectToAsync(LitecoindNode other)
    {
        ArgumentNullException.ThrowIfNull(other);
        await Rpc.CallAsync("addnode", $"127.0.0.1:{other.P2PPort}", "onetry").ConfigureAwait(false);
        await Eventually.TrueAsync(
            async () => (await OutboundPeerIdsAsync(other).ConfigureAwait(false)).Count > 0,
            $"{Name} has a handshaked connection to {other.Name}").ConfigureAwait(false);
    }

    /// <summary>Drops every connection between this node and <paramref name="other"/> (<c>disconnectnode</c>).</summary>
    public async Task DisconnectFromAsync(LitecoindNode other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (from, to) in new[] { (this, other), (other, this) })
        {
            foreach (var id in await from.OutboundPeerIdsAsync(to).ConfigureAwait(false))
            {
                try
                {
                    await from.Rpc.CallAsync("disconnectnode", "", id).ConfigureAwait(false);
                }
                catch (NodeRpcException)
                {
                    // Already gone.
                }
            }
        }
        await Eventually.TrueAsync(
            async () => (await OutboundPeerIdsAsync(other).ConfigureAwait(false)).Count == 0
                && (await other.OutboundPeerIdsAsync(this).ConfigureAwait(false)).Count == 0,
            $"{Name} and {other.Name} are disconnected").ConfigureAwait(false);
    }

    /// <summary>Turns all P2P networking on or off (<c>setnetworkactive</c>).</summary>
    public Task SetNetworkActiveAsync(bool active) => Rpc.CallAsync("setnetworkactive", active);

    /// <summary>Waits until all <paramref name="nodes"/> have the same tip.</summary>
    public static Task SyncAsync(params LitecoindNode[] nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return Eventually.TrueAsync(
            async () =>
            {
                var tips = await Task.WhenAll(nodes.Select(n => n.GetBestBlockHashAsync())).ConfigureAwait(false);
                return tips.Distinct(StringComparer.Ordinal).Count() == 1;
            },
            $"nodes {string.Join(", ", nodes.Select(n => n.Name))} share a tip");
    }

    private async Task<IReadOnlyList<long>> OutboundPeerIdsAsync(LitecoindNode other)
    {
        var peers = await Rpc.CallAsync("getpeerinfo").ConfigureAwait(false);
        var address = $"127.0.0.1:{other.P2PPort}";
        return peers.EnumerateArray()
            .Where(p => p.GetProperty("addr").GetString() == address && p.TryGetProperty("version", out var v) && v.GetInt64() > 0)
            .Select(p => p.GetProperty("id").GetInt64())
            .ToList();
    }

    // ---- process management ----

    private async Task LaunchAsync(bool allowNewPorts)
    {
        var failures = new List<string>();
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            if (allowNewPorts && (attempt > 1 || RpcPort == 0))
            {
                RpcPort = FreePorts.Next();
                P2PPort = FreePorts.Next();
            }
            StartProcess();
            var outcome = await WaitUntilReadyAsync().ConfigureAwait(false);
            if (outcome == StartOutcome.Ready)
            {
                return;
            }
            var diagnostics = Diagnostics();
            await KillAsync().ConfigureAwait(false);
            if (outcome != StartOutcome.BindConflict)
            {
                throw new InvalidOperationException($"litecoind ({Executable}) failed to start:\n{diagnostics}");
            }
            failures.Add($"attempt {attempt}: ports {RpcPort}/{P2PPort} taken");
            if (!allowNewPorts)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false); // wait for the old socket to go
            }
        }
        throw new InvalidOperationException($"litecoind could not bind its ports: {string.Join("; ", failures)}");
    }

    private void StartProcess()
    {
        var info = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            "-regtest", $"-datadir={DataDir}", "-server=1", "-printtoconsole=0", "-shrinkdebugfile=0",
            "-listen=1", $"-bind=127.0.0.1:{P2PPort}", $"-port={P2PPort}", "-listenonion=0",
            "-dnsseed=0", "-discover=0", "-upnp=0",
            "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", $"-rpcport={RpcPort}", "-rpcthreads=8", "-rpcworkqueue=64",
            "-fallbackfee=0.0002", "-keypool=20",
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (_options.Rest)
        {
            info.ArgumentList.Add("-rest=1");
        }
        if (_options.TxIndex)
        {
            info.ArgumentList.Add("-txindex=1");
        }
        if (!_options.Wallet)
        {
            info.ArgumentList.Add("-disablewallet=1");
        }
        if (!_options.CookieAuth)
        {
            info.ArgumentList.Add($"-rpcuser={_options.RpcUser}");
            info.ArgumentList.Add($"-rpcpassword={_options.RpcPassword}");
        }
        foreach (var argument in _options.ExtraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {Executable}: {e.Message}. Install it with 'apt-get install litecoind' (scripts/test.sh does) or set COINSHARD_LITECOIND.", e);
        }
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running[this] = 0;
        _watchdog = StartWatchdog(process.Id);
    }

    /// <summary>A shell loop that SIGKILLs the node when the test host dies (even by SIGKILL), and ends with the node.</summary>
    private static Process? StartWatchdog(int nodePid)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("while kill -0 \"$1\" 2>/dev/null; do kill -0 \"$2\" 2>/dev/null || { kill -9 \"$1\"; exit 0; }; sleep 1; done");
        info.ArgumentList.Add("litecoind-watchdog");
        info.ArgumentList.Add(nodePid.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            return Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no /bin/sh: the exit hook still covers normal test-host exits
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            if (_output.Length < 64_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private enum StartOutcome
    {
        Ready,
        BindConflict,
        Failed,
    }

    private async Task<StartOutcome> WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                await _process.WaitForExitAsync().ConfigureAwait(false); // flush output
                var text = Diagnostics();
                return text.Contains("Unable to bind", StringComparison.OrdinalIgnoreCase)
                    || text.Contains("Unable to start HTTP server", StringComparison.OrdinalIgnoreCase)
                    ? StartOutcome.BindConflict
                    : StartOutcome.Failed;
            }
            try
            {
                // getrpcinfo names our debug.log: proves we reached our node, not another process on a reused port.
                var info = await Rpc.CallAsync("getrpcinfo").ConfigureAwait(false);
                if (info.TryGetProperty("logpath", out var logPath) && logPath.GetString()!.StartsWith(DataDir, StringComparison.Ordinal))
                {
                    return StartOutcome.Ready;
                }
            }
            catch (Exception e) when (e is HttpRequestException or NodeRpcException or IOException or TaskCanceledException or JsonException or UnauthorizedAccessException)
            {
                // Not listening yet, warming up (-28), or no cookie yet.
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        return StartOutcome.Failed;
    }

    private (string User, string Password) ReadCredentials()
    {
        if (!_options.CookieAuth)
        {
            return (_options.RpcUser, _options.RpcPassword);
        }
        string cookie;
        try
        {
            cookie = File.ReadAllText(CookiePath).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IOException($"no cookie file yet at {CookiePath}", e);
        }
        var colon = cookie.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? (cookie[..colon], cookie[(colon + 1)..]) : throw new IOException("cookie file is incomplete");
    }

    private void CleanUpProcess()
    {
        Running.TryRemove(this, out _);
        if (_watchdog is { HasExited: false } watchdog)
        {
            try
            {
                watchdog.Kill();
            }
            catch (InvalidOperationException)
            {
            }
        }
        _watchdog?.Dispose();
        _watchdog = null;
        _process?.Dispose();
        _process = null;
    }

    private static void KillAll()
    {
        foreach (var node in Running.Keys)
        {
            try
            {
                if (node._process is { HasExited: false } process)
                {
                    process.Kill();
                }
                if (node._watchdog is { HasExited: false } watchdog)
                {
                    watchdog.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private static decimal Coins(long satoshis) => satoshis / (decimal)SatoshisPerCoin;
}
