using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Storage;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>
/// Conformance with real Electrum client libraries from the npm registry (tests/Electrum.Tests/js: the drivers and
/// their package.json): each driver runs every request of js/conformance.mjs through the library against a live
/// gateway, then receives a mempool-payment and a new-block notification; every answer is compared with the node.
/// @mempool/electrum-client speaks TCP and TLS only; electrum-cash speaks all four transports but has no batches.
/// </summary>
[Collection(LiveGatewayTests.Name)]
public sealed class NpmClientTests(LiveGatewayFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string, IndexMode, string> Runs => new()
    {
        { "mempool-electrum-client.mjs", "tcp", IndexMode.Full, "1.4" },
        { "mempool-electrum-client.mjs", "tls", IndexMode.Utxo, "1.4" },
        { "electrum-cash.mjs", "tcp", IndexMode.Utxo, "1.4" },
        { "electrum-cash.mjs", "tls", IndexMode.Full, "1.4" },
        { "electrum-cash.mjs", "ws", IndexMode.Full, "1.6" },
        { "electrum-cash.mjs", "wss", IndexMode.Utxo, "1.6" },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task The_npm_client_gets_what_the_node_says(string driver, string transport, IndexMode mode, string version)
    {
        var live = mode == IndexMode.Full ? fixture.Full : fixture.Utxo;
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        // A few scripthashes with mempool activity (heights 0 and -1) and a few confirmed-only ones.
        var scripthashes = view.ByScripthash.Values.Where(e => e.Mempool.Count > 0).Take(6)
            .Concat(view.ByScripthash.Values.Where(e => e.Mempool.Count == 0 && e.FullHistory.Count > 0).Take(4)).ToList();
        var (txid, (height, position)) = view.Positions.First(p => p.Value.Position > 0 && p.Value.Height > 2);
        var watchAddress = await fixture.Node.NewAddressAsync();
        var watch = NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, watchAddress));
        var port = transport switch { "tcp" => live.TcpPort, "tls" => live.TlsPort, "ws" => live.WsPort, _ => live.WssPort };
        var config = JsonSerializer.Serialize(new
        {
            host = "127.0.0.1",
            port,
            transport,
            version,
            scripthashes = scripthashes.Select(e => e.Scripthash),
            txid,
            height,
            watch,
        });

        await using var run = await DriverRun.StartAsync(driver, config, fixture.Certificate.CertPath);
        var results = (await run.NextAsync(Wait)).GetProperty("results");
        var context = $"{driver} over {transport} ({mode}, {version}, seed {fixture.Seed})";

        // Identity and chain.
        Assert.Equal(version, results.GetProperty("version")[1].GetString());
        Assert.StartsWith("Coinshard", results.GetProperty("version")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(await fixture.Node.Rpc.CallStringAsync("getblockhash", 0), results.GetProperty("features").GetProperty("genesis_hash").GetString());
        Assert.Equal(mode == IndexMode.Full ? "full" : "utxo", results.GetProperty("features").GetProperty("coinshard_index_mode").GetString());
        Assert.Equal(JsonValueKind.String, results.GetProperty("banner").ValueKind);
        Assert.Equal(await HeaderHexAsync(height), results.GetProperty("header").GetString());
        var headers = results.GetProperty("headers");
        Assert.Equal(3, headers.GetProperty("count").GetInt32());
        var expectedHeaders = string.Concat(await Task.WhenAll(Enumerable.Range(height - 2, 3).Select(HeaderHexAsync)));
        Assert.Equal(expectedHeaders, version == "1.6"
            ? string.Concat(headers.GetProperty("headers").EnumerateArray().Select(h => h.GetString()))
            : headers.GetProperty("hex").GetString());
        var tip = results.GetProperty("tip");
        Assert.Equal(view.TipHeight, tip.GetProperty("height").GetInt32());
        Assert.Equal(await HeaderHexAsync(view.TipHeight), tip.GetProperty("hex").GetString());

        // Fees.
        var smart = await fixture.Node.Rpc.CallAsync("estimatesmartfee", 2);
        Assert.Equal(smart.TryGetProperty("feerate", out var rate) ? rate.GetDecimal() : -1m, results.GetProperty("estimatefee").GetDecimal());
        if (version != "1.6")
        {
            Assert.Equal((await fixture.Node.Rpc.CallAsync("getnetworkinfo")).GetProperty("relayfee").GetDecimal(), results.GetProperty("relayfee").GetDecimal());
        }

        // Transaction and proof.
        Assert.Equal(await fixture.Node.Rpc.CallStringAsync("getrawtransaction", txid), results.GetProperty("tx").GetString());
        var merkle = results.GetProperty("merkle");
        Assert.Equal(position, merkle.GetProperty("pos").GetInt32());
        var root = BlockHeader.Parse(Convert.FromHexString(await HeaderHexAsync(height))).MerkleRoot;
        Assert.True(MerkleTree.VerifyBranch(Hash256.Parse(txid), position, DifferentialTests.Hashes(merkle.GetProperty("merkle")), root), $"{context}: merkle proof");

        // Scripthashes.
        foreach (var expected in scripthashes)
        {
            var sh = expected.Scripthash;
            var balance = results.GetProperty("balances").GetProperty(sh);
            Assert.True(expected.Confirmed == balance.GetProperty("confirmed").GetInt64() && expected.Unconfirmed == balance.GetProperty("unconfirmed").GetInt64(), $"{context}: balance of {sh}: {balance}");
            DifferentialTests.AssertUnspent(expected.Unspent, results.GetProperty("unspent").GetProperty(sh), $"{context} {sh}");
            DifferentialTests.AssertHistory(expected.History(mode), results.GetProperty("history").GetProperty(sh), $"{context} {sh}");
        }
        var batch = results.GetProperty("batch");
        if (batch.ValueKind != JsonValueKind.Null)
        {
            var byParam = batch.EnumerateArray().ToDictionary(b => b.GetProperty("param").GetString()!, b => b.GetProperty("result"));
            Assert.Equal(scripthashes.Count, byParam.Count);
            foreach (var expected in scripthashes)
            {
                Assert.Equal(expected.Confirmed, byParam[expected.Scripthash].GetProperty("confirmed").GetInt64());
                Assert.Equal(expected.Unconfirmed, byParam[expected.Scripthash].GetProperty("unconfirmed").GetInt64());
            }
        }
        Assert.Equal(JsonValueKind.Null, results.GetProperty("watchStatus").ValueKind);

        // A mempool payment to the watched scripthash, then a block confirming it.
        var (hex, paymentTxid) = await fixture.PaymentFromConfirmedCoinAsync(watchAddress, LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", hex);
        await fixture.WaitForSyncAsync();
        var pending = (await NodeView.ReadAsync(fixture)).ByScripthash[watch];
        Assert.Equal(paymentTxid, pending.Mempool.Single().TxHash);
        await run.NotificationAsync("blockchain.scripthash.subscribe", p => p[0].GetString() == watch && p[1].GetString() == pending.Status(mode), Wait, () => $"{context}; gateway warnings: {Warnings()}");

        var block = await fixture.MineOnlyAsync(paymentTxid);
        var minedHeight = view.TipHeight + 1;
        await run.NotificationAsync("blockchain.headers.subscribe", p => p[0].GetProperty("height").GetInt32() == minedHeight, Wait, () => $"{context}; gateway warnings: {Warnings()}");
        await fixture.WaitForSyncAsync();
        var mined = (await NodeView.ReadAsync(fixture)).ByScripthash[watch];
        Assert.Equal(minedHeight, mined.FullHistory.Single().Height);
        Assert.Equal(block, await fixture.Node.Rpc.CallStringAsync("getblockhash", minedHeight));
        await run.NotificationAsync("blockchain.scripthash.subscribe", p => p[0].GetString() == watch && p[1].GetString() == mined.Status(mode), Wait, () => $"{context}; gateway warnings: {Warnings()}");
        await run.FinishAsync(Wait);
    }

    private string Warnings() =>
        string.Join(" | ", fixture.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).TakeLast(10).Select(e => $"{e.Category}: {e.Message}"));

    private async Task<string> HeaderHexAsync(int height) =>
        await fixture.Node.Rpc.CallStringAsync("getblockheader", await fixture.Node.Rpc.CallStringAsync("getblockhash", height), false);

    /// <summary>One run of a driver script under Node.js: JSON lines out, "done" in.</summary>
    private sealed class DriverRun : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
        private readonly List<string> _stderr = [];
        private readonly List<JsonElement> _received = [];
        private readonly Task _reader;

        private DriverRun(Process process)
        {
            _process = process;
            _reader = Task.Run(ReadAsync);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_stderr)
                    {
                        _stderr.Add(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
        }

        public static Task<DriverRun> StartAsync(string driver, string config, string trustedCertificate)
        {
            var directory = NpmPackages.EnsureInstalled();
            var info = new ProcessStartInfo("node")
            {
                WorkingDirectory = directory,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(Path.Combine(directory, driver));
            info.ArgumentList.Add(config);
            // electrum-cash's wss transport verifies the certificate like a browser: trust the test certificate.
            info.Environment["NODE_EXTRA_CA_CERTS"] = trustedCertificate;
            return Task.FromResult(new DriverRun(Process.Start(info) ?? throw new InvalidOperationException("node did not start")));
        }

        public async Task<JsonElement> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            JsonElement line;
            try
            {
                line = await _lines.Reader.ReadAsync(cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                throw new InvalidOperationException($"the driver printed nothing more within {timeout.TotalSeconds} s; stderr: {Stderr()}", e);
            }
            if (line.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"the driver failed: {error.GetString()}; stderr: {Stderr()}");
            }
            return line;
        }

        /// <summary>
        /// Waits for a notification of <paramref name="method"/> whose params match, among all received so far and
        /// those to come: a block's status notification may arrive before or after its header notification.
        /// </summary>
        public async Task NotificationAsync(string method, Func<JsonElement, bool> match, TimeSpan timeout, Func<string> context)
        {
            bool Matches(JsonElement n) => n.GetProperty("method").GetString() == method && match(n.GetProperty("params"));
            if (_received.Any(Matches))
            {
                return;
            }
            var seen = _received.Select(n => n.GetRawText()).ToList();
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                JsonElement line;
                try
                {
                    line = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
                }
                catch (InvalidOperationException e)
                {
                    throw new InvalidOperationException($"{context()}: no matching {method} notification; saw [{string.Join(", ", seen)}]", e);
                }
                var notification = line.GetProperty("notification");
                _received.Add(notification);
                seen.Add(notification.GetRawText());
                if (Matches(notification))
                {
                    return;
                }
            }
        }

        public async Task FinishAsync(TimeSpan timeout)
        {
            await _process.StandardInput.WriteLineAsync("done");
            await _process.StandardInput.FlushAsync();
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            Assert.True(_process.ExitCode == 0, $"the driver exited with {_process.ExitCode}; stderr: {Stderr()}");
        }

        private async Task ReadAsync()
        {
            try
            {
                while (await _process.StandardOutput.ReadLineAsync() is { } text)
                {
                    using var document = JsonDocument.Parse(text);
                    _lines.Writer.TryWrite(document.RootElement.Clone());
                }
            }
            finally
            {
                _lines.Writer.TryComplete();
            }
        }

        private string Stderr()
        {
            lock (_stderr)
            {
                return string.Join("\n", _stderr.TakeLast(30));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
            try
            {
                await _reader;
            }
            catch (JsonException)
            {
            }
            _process.Dispose();
        }
    }
}

/// <summary>The npm packages of tests/Electrum.Tests/js: found next to the sources, installed with <c>npm ci</c> when missing.</summary>
internal static class NpmPackages
{
    private static readonly Lock Gate = new();

    /// <summary>The js directory, with node_modules installed.</summary>
    public static string EnsureInstalled()
    {
        lock (Gate)
        {
            var directory = Locate();
            if (!Directory.Exists(Path.Combine(directory, "node_modules", "electrum-cash")) ||
                !Directory.Exists(Path.Combine(directory, "node_modules", "@mempool", "electrum-client")))
            {
                Run("npm", directory, "ci", "--no-audit", "--no-fund");
            }
            Run("node", directory, "--version");
            return directory;
        }
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "js", "package.json");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Coinshard.Electrum.Tests.csproj")))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }
        throw new InvalidOperationException($"tests/Electrum.Tests/js/package.json not found above {AppContext.BaseDirectory}");
    }

    private static void Run(string program, string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{program}' is not installed: the npm conformance tests need Node.js and npm (Debian: apt-get install nodejs npm; scripts/test.sh checks this)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed in {directory} (exit {process.ExitCode}): {stderr.Result}");
            }
        }
    }
}
