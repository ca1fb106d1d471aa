using System.CommandLine;
using System.Globalization;
using System.Text.Json;

using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.Cli.Admin;
using Coinshard.Node.Admin;
using Coinshard.Node.Configuration;

namespace Coinshard.Cli.Commands;

/// <summary>
/// <c>coinshard snapshot load FILE --coin X</c> (through a node's admin API, with a progress bar) and
/// <c>coinshard snapshot show FILE</c> (offline: the file's header).
/// </summary>
internal static class SnapshotCommands
{
    /// <summary>How often <c>snapshot load</c> asks the node for progress.</summary>
    internal static TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public static Command Create(CliConsole console, Func<string, string?> environment)
    {
        var snapshot = new Command("snapshot", "Bring up a utxo index from a dumptxoutset file (Bitcoin Core / Litecoin Core UTXO snapshot).");
        snapshot.Subcommands.Add(Load(console, environment));
        snapshot.Subcommands.Add(Status(console, environment));
        snapshot.Subcommands.Add(Show(console));
        return snapshot;
    }

    private static Command Status(CliConsole console, Func<string, string?> environment)
    {
        var connection = new AdminConnection();
        var coin = new Option<string?>("--coin", "-c") { Description = "The currency: bitcoin (btc) or litecoin (ltc).", Required = true };
        var command = new Command("status", "Show the snapshot load of a node's index: running (with progress), complete, failed or interrupted.") { coin };
        connection.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var name = CoinArgument(parse.GetValue(coin));
            using var client = connection.Open(parse, environment);
            var (json, document) = await client.CallAsync<SnapshotDocument>(HttpMethod.Get, $"v1/{name}/snapshot", ct).ConfigureAwait(false);
            if (parse.GetValue(connection.Json))
            {
                await console.Out.WriteLineAsync(json).ConfigureAwait(false);
                return 0;
            }
            var bar = new ProgressLine(console.Out, terminal: false);
            if (IsFinal(document.State))
            {
                bar.Finish(document);
            }
            else
            {
                bar.Show(document);
            }
            if (document.Error is { } error)
            {
                await console.Out.WriteLineAsync($"{name}: {error}").ConfigureAwait(false);
            }
            return 0;
        });
        return command;
    }

    private static Command Load(CliConsole console, Func<string, string?> environment)
    {
        var connection = new AdminConnection();
        var file = new Argument<string>("file") { Description = "The dumptxoutset file, as a path the node can read (made absolute here)." };
        var coin = new Option<string?>("--coin", "-c") { Description = "The currency: bitcoin (btc) or litecoin (ltc).", Required = true };
        var dust = new Option<long>("--dust-limit") { Description = "Skip outputs below this many satoshis (default 0: load every coin). Balances then exclude them." };
        var reset = new Option<bool>("--reset") { Description = "Discard the index the node holds first (a snapshot only loads into an empty index)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the load and return; follow it with `coinshard snapshot status`." };
        var command = new Command("load", "Load a snapshot into a node's (empty, utxo-mode) index, then the node follows the chain from its base block.") { file, coin, dust, reset, noWait };
        connection.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var dustLimit = parse.GetValue(dust);
            if (dustLimit < 0)
            {
                throw new CliUsageException($"--dust-limit must be ≥ 0 satoshis, not {dustLimit}");
            }
            var path = Path.GetFullPath(parse.GetRequiredValue(file));
            var name = CoinArgument(parse.GetValue(coin));
            using var client = connection.Open(parse, environment);
            var query = $"v1/{name}/snapshot/load?file={Uri.EscapeDataString(path)}&dust_limit={dustLimit}{(parse.GetValue(reset) ? "&reset=true" : "")}";
            var (json, started) = await client.CallAsync<SnapshotDocument>(HttpMethod.Post, query, ct).ConfigureAwait(false);
            var asJson = parse.GetValue(connection.Json);
            if (parse.GetValue(noWait))
            {
                await console.Out.WriteLineAsync(asJson ? json : $"{name}: loading {path} ({started.State}); progress: coinshard snapshot status --coin {name}").ConfigureAwait(false);
                return 0;
            }
            var bar = new ProgressLine(console.Out, IsTerminal(console));
            var current = started;
            while (!IsFinal(current.State))
            {
                if (!asJson)
                {
                    bar.Show(current);
                }
                await Task.Delay(PollInterval, ct).ConfigureAwait(false);
                (json, current) = await client.CallAsync<SnapshotDocument>(HttpMethod.Get, $"v1/{name}/snapshot", ct).ConfigureAwait(false);
            }
            if (asJson)
            {
                await console.Out.WriteLineAsync(json).ConfigureAwait(false);
            }
            else
            {
                bar.Finish(current);
            }
            if (current.State == "complete")
            {
                return 0;
            }
            await console.Error.WriteLineAsync($"error: the snapshot load {current.State}: {current.Error}").ConfigureAwait(false);
            return CliApp.Unavailable;
        });
        return command;
    }

    private static Command Show(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "The dumptxoutset file." };
        var network = new Option<string?>("--network") { Description = "The network to read it for (default: the one a version-2 file names; older files name none)." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("show", "Print a snapshot file's header (format, network, base block, coin count) without a node.") { file, network, json };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            Network? chosen = null;
            if (parse.GetValue(network) is { } text && !Network.TryParse(text, out chosen))
            {
                throw new CliUsageException($"--network '{text}' is unknown; expected one of {string.Join(", ", Network.All.Select(n => n.Name))}");
            }
            var header = ReadHeader(path, chosen);
            var length = new FileInfo(path).Length;
            var document = new
            {
                file = Path.GetFullPath(path),
                format = header.Format == UtxoSnapshotFormat.Version2 ? "version2" : "legacy",
                version = header.Version,
                network = header.Network?.Name,
                base_block_hash = header.BaseBlockHash.ToString(),
                coins = header.CoinCount,
                header_bytes = header.Length,
                chain_tx = header.ChainTxCount,
                file_bytes = length,
            };
            if (parse.GetValue(json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(document)).ConfigureAwait(false);
                return 0;
            }
            var lines = new List<string>
            {
                $"file        {document.file} ({length:N0} bytes)",
                $"format      {(header.Format == UtxoSnapshotFormat.Version2 ? $"version {header.Version} (Bitcoin Core 28+)" : $"older format, {header.Length}-byte header (Bitcoin Core 0.20-27, Litecoin Core 0.21)")}",
                $"network     {header.Network?.Name ?? "not recorded (older format): checked against the chain when loaded"}",
                $"base block  {header.BaseBlockHash}",
                $"coins       {header.CoinCount:N0}",
            };
            if (header.ChainTxCount is { } chainTx)
            {
                lines.Add($"chain txs   {chainTx:N0}");
            }
            foreach (var line in lines)
            {
                await console.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
            return 0;
        });
        return command;
    }

    /// <summary>The header under the given network, or, without one, the first network the header accepts.</summary>
    private static UtxoSnapshotHeader ReadHeader(string path, Network? network)
    {
        SnapshotFormatException? wrong = null;
        foreach (var candidate in network is null ? Network.All : [network])
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            try
            {
                using var reader = new UtxoSnapshotReader(stream, new UtxoSnapshotReaderOptions { Network = candidate, LeaveOpen = true });
                return reader.Header;
            }
            catch (SnapshotFormatException e) when (e.Error == SnapshotError.WrongNetwork && network is null)
            {
                wrong = e;
            }
        }
        throw wrong!;
    }

    private static bool IsFinal(string state) => state is "complete" or "failed" or "interrupted" or "none";

    private static bool IsTerminal(CliConsole console) => ReferenceEquals(console.Out, Console.Out) && !Console.IsOutputRedirected;

    private static string CoinArgument(string? text) =>
        CoinNames.Parse(text) is { } currency
            ? CoinNames.Of(currency)
            : throw new CliUsageException($"--coin '{text}' is not a currency; use bitcoin (btc) or litecoin (ltc)");

    /// <summary>A redrawn bar on a terminal; a plain line every few seconds (and on each phase change) otherwise.</summary>
    private sealed class ProgressLine(TextWriter output, bool terminal)
    {
        private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);
        private string? _lastState;
        private DateTimeOffset _lastPlain = DateTimeOffset.MinValue;
        private bool _drawn;

        public void Show(SnapshotDocument d)
        {
            if (terminal)
            {
                const int Width = 30;
                var fraction = d.Total > 0 ? Math.Clamp((double)d.Coins / d.Total, 0, 1) : 0;
                var filled = (int)(fraction * Width);
                output.Write($"\r[{new string('#', filled)}{new string('-', Width - filled)}] {Describe(d)}\u001b[K");
                output.Flush();
                _drawn = true;
                return;
            }
            var now = DateTimeOffset.UtcNow;
            if (d.State != _lastState || now - _lastPlain >= PlainEvery)
            {
                _lastState = d.State;
                _lastPlain = now;
                output.WriteLine(Describe(d));
            }
        }

        public void Finish(SnapshotDocument d)
        {
            if (terminal && _drawn)
            {
                output.WriteLine();
            }
            output.WriteLine(d.State == "complete"
                ? $"{d.Coin}: snapshot loaded: tip {d.BaseHeight} {d.BaseHash}, {d.Coins - d.Skipped:N0} coins ({d.Skipped:N0} below the dust limit skipped), {d.Headers:N0} headers, {d.ElapsedSeconds:0.0} s; the node follows the chain from here"
                : d.State == "none" ? $"{d.Coin}: no snapshot load (the index was not loaded from a snapshot)" : $"{d.Coin}: snapshot load {d.State}");
        }

        private static string Describe(SnapshotDocument d)
        {
            var percent = d.Total > 0 ? 100.0 * d.Coins / d.Total : 0;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{d.State,-10} {percent,5:0.0}%  {d.Coins:N0}/{d.Total:N0} coins  {d.Bytes / 1e6:0.0}/{d.BytesTotal / 1e6:0.0} MB  {d.Rate:N0} coins/s  ETA {Eta(d.EtaSeconds)}");
            return d.State == "headers" ? text + $"  {d.Headers:N0} headers" : text;
        }

        private static string Eta(double? seconds) => seconds switch
        {
            null => "-",
            < 90 => $"{seconds:0} s",
            < 5400 => $"{seconds / 60:0} min",
            _ => $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60):00} min",
        };
    }
}
