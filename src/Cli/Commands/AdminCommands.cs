using System.CommandLine;

using Coinshard.Backends;
using Coinshard.Cli.Admin;
using Coinshard.Node.Admin;
using Coinshard.Node.Configuration;

namespace Coinshard.Cli.Commands;

/// <summary>
/// The verbs that talk to a running node's admin API: <c>status</c>, <c>utxos</c>, <c>balance</c>,
/// <c>follower rewind</c>, <c>follower reset</c>. Tables by default, <c>--json</c> for scripts.
/// </summary>
internal static class AdminCommands
{
    public static IEnumerable<Command> Create(CliConsole console, Func<string, string?> environment)
    {
        yield return Status(console, environment);
        yield return Utxos(console, environment);
        yield return Balance(console, environment);
        yield return Follower(console, environment);
    }

    private static Command Status(CliConsole console, Func<string, string?> environment)
    {
        var connection = new AdminConnection();
        var coin = CoinOption(required: false);
        var command = new Command("status", "Show each currency's index: state, tips, lag, lease, Electrum.") { coin };
        connection.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var client = connection.Open(parse, environment);
            var selected = parse.GetValue(coin);
            var (json, status) = await client.CallAsync<NodeStatusDocument>(HttpMethod.Get, "v1/status", ct).ConfigureAwait(false);
            var currencies = status.Currencies.Where(c => selected is null || CoinNames.Parse(selected) is { } cur && c.Coin == CoinNames.Of(cur)).ToList();
            if (selected is not null && currencies.Count == 0)
            {
                throw new CliUsageException($"'{selected}' is not indexed by the node at {client.BaseUrl}; it has: {string.Join(", ", status.Currencies.Select(c => c.Coin))}");
            }
            if (parse.GetValue(connection.Json))
            {
                await console.Out.WriteLineAsync(json).ConfigureAwait(false);
                return 0;
            }
            await console.Out.WriteLineAsync($"node {status.Node.Name} (Coinshard {status.Node.Version}), up {TimeSpan.FromSeconds(status.Node.UptimeSeconds)}, {(status.Node.Ready ? "ready" : "not ready")}").ConfigureAwait(false);
            var table = new TextTable("COIN", "NETWORK", "MODE", "STATE", "INDEX", "NODE", "LAG", "WRITER", "ELECTRUM");
            foreach (var c in currencies)
            {
                table.Add(c.Coin, c.Network, c.Mode, c.State, c.IndexTip?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    c.NodeTip?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    c.Lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", c.HoldsLease ? "yes" : "no",
                    c.Electrum.State + (c.Electrum.Endpoints.Count > 0 ? " " + string.Join(" ", c.Electrum.Endpoints) : ""));
            }
            table.WriteTo(console.Out);
            foreach (var c in currencies)
            {
                if (c.Progress is { } p)
                {
                    await console.Out.WriteLineAsync($"{c.Coin}: catching up at {p.BlocksPerSecond:0.#} blocks/s, {p.InputsOutputsPerSecond:N0} inputs+outputs/s{(p.EtaSeconds is { } eta ? $", ETA {TimeSpan.FromSeconds(eta)}" : "")}").ConfigureAwait(false);
                }
                if (c.LastError is { } error)
                {
                    await console.Out.WriteLineAsync($"{c.Coin}: {error}").ConfigureAwait(false);
                }
                if (c.Electrum.Error is { } electrumError)
                {
                    await console.Out.WriteLineAsync($"{c.Coin}: electrum: {electrumError}").ConfigureAwait(false);
                }
            }
            return 0;
        });
        return command;
    }

    private static Command Utxos(CliConsole console, Func<string, string?> environment)
    {
        var connection = new AdminConnection();
        var coin = CoinOption(required: true);
        var target = new Argument<string>("address-or-scripthash") { Description = "An address of the coin's network, or an Electrum scripthash (64 hex digits)." };
        var limit = new Option<int?>("--limit") { Description = $"Most outputs to list (default 1000, at most {AdminApi.MaxUtxos:N0})." };
        var command = new Command("utxos", "List the unspent outputs of an address or scripthash, from the index.") { target, coin, limit };
        connection.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var client = connection.Open(parse, environment);
            var path = $"v1/{CoinArgument(parse, coin)}/utxos/{Uri.EscapeDataString(parse.GetRequiredValue(target).Trim())}";
            if (parse.GetValue(limit) is { } n)
            {
                path += $"?limit={n}";
            }
            var (json, utxos) = await client.CallAsync<UtxosDocument>(HttpMethod.Get, path, ct).ConfigureAwait(false);
            if (parse.GetValue(connection.Json))
            {
                await console.Out.WriteLineAsync(json).ConfigureAwait(false);
                return 0;
            }
            var table = new TextTable("OUTPOINT", "VALUE (sat)", "HEIGHT", "COINBASE");
            foreach (var u in utxos.Utxos)
            {
                table.Add($"{u.Txid}:{u.Vout}", u.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), u.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), u.Coinbase ? "yes" : "");
            }
            table.WriteTo(console.Out);
            await console.Out.WriteLineAsync(
                $"{utxos.Count} output(s){(utxos.Truncated ? " shown (more exist; --limit)" : "")}, total {CoinAmount.Format(utxos.Total)} ({utxos.Total:N0} sat) at height {utxos.Height}, scripthash {utxos.Scripthash}").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Balance(CliConsole console, Func<string, string?> environment)
    {
        var connection = new AdminConnection();
        var coin = CoinOption(required: true);
        var target = new Argument<string>("address-or-scripthash") { Description = "An address of the coin's network, or an Electrum scripthash (64 hex digits)." };
        var command = new Command("balance", "Show the confirmed balance (from the index) and the mempool delta of an address or scripthash.") { target, coin };
        connection.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var client = connection.Open(parse, environment);
            var path = $"v1/{CoinArgument(parse, coin)}/balance/{Uri.EscapeDataString(parse.GetRequiredValue(target).Trim())}";
            var (json, balance) = await client.CallAsync<BalanceDocument>(HttpMethod.Get, path, ct).ConfigureAwait(false);
            if (parse.GetValue(connection.Json))
            {
                await console.Out.WriteLineAsync(json).ConfigureAwait(false);
                return 0;
            }
            await console.Out.WriteLineAsync($"{balance.Address ?? balance.Scripthash}").ConfigureAwait(false);
            await console.Out.WriteLineAsync($"  confirmed    {CoinAmount.Format(balance.Confirmed),20} ({balance.Confirmed:N0} sat) at height {balance.Height}").ConfigureAwait(false);
            await console.Out.WriteLineAsync($"  unconfirmed  {CoinAmount.Format(balance.Unconfirmed),20} ({balance.Unconfirmed:N0} sat)").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Follower(CliConsole console, Func<string, string?> environment)
    {
        var follower = new Command("follower", "Operate a currency's chain follower (on the node that writes the index).");

        var rewindConnection = new AdminConnection();
        var rewindCoin = CoinOption(required: true);
        var height = new Option<int>("--height") { Description = "The height the index's tip goes back to (within the undo window).", Required = true };
        var rewind = new Command("rewind", "Disconnect blocks down to a height, then follow the node again.") { rewindCoin, height };
        rewindConnection.AddTo(rewind);
        rewind.SetAction(async (parse, ct) =>
        {
            using var client = rewindConnection.Open(parse, environment);
            var (json, result) = await client.CallAsync<RewindDocument>(HttpMethod.Post, $"v1/{CoinArgument(parse, rewindCoin)}/follower/rewind?height={parse.GetValue(height)}", ct).ConfigureAwait(false);
            await console.Out.WriteLineAsync(parse.GetValue(rewindConnection.Json)
                ? json
                : $"{result.Coin}: rewound from {result.From.Height} to {result.To.Height} ({result.BlocksDisconnected} block(s) disconnected); following the node again").ConfigureAwait(false);
            return 0;
        });
        follower.Subcommands.Add(rewind);

        var resetConnection = new AdminConnection();
        var resetCoin = CoinOption(required: true);
        var yes = new Option<bool>("--yes") { Description = "Confirm: the index is emptied and rebuilt from its start height." };
        var reset = new Command("reset", "Empty the currency's index and rebuild it (the way out of a reorg deeper than the undo window).") { resetCoin, yes };
        resetConnection.AddTo(reset);
        reset.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(yes))
            {
                throw new CliUsageException("reset empties the index and rebuilds it from the start height; add --yes to confirm");
            }
            using var client = resetConnection.Open(parse, environment);
            var (json, result) = await client.CallAsync<ResetDocument>(HttpMethod.Post, $"v1/{CoinArgument(parse, resetCoin)}/follower/reset", ct).ConfigureAwait(false);
            await console.Out.WriteLineAsync(parse.GetValue(resetConnection.Json) ? json : $"{result.Coin}: index reset; rebuilding ({result.State})").ConfigureAwait(false);
            return 0;
        });
        follower.Subcommands.Add(reset);
        return follower;
    }

    private static Option<string?> CoinOption(bool required) => new("--coin", "-c")
    {
        Description = "The currency: bitcoin (btc) or litecoin (ltc).",
        Required = required,
    };

    private static string CoinArgument(ParseResult parse, Option<string?> coin)
    {
        var text = parse.GetValue(coin);
        return CoinNames.Parse(text) is { } currency
            ? CoinNames.Of(currency)
            : throw new CliUsageException($"--coin '{text}' is not a currency; use bitcoin (btc) or litecoin (ltc)");
    }
}
