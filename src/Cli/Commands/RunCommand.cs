using System.CommandLine;
using System.Runtime.InteropServices;

using Coinshard.Backends;
using Coinshard.Chain.Networks;
using Coinshard.Node.Configuration;
using Coinshard.Node.Hosting;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Coinshard.Cli.Commands;

/// <summary>
/// <c>coinshard run</c>: starts a node. Configuration comes from a JSON file (<c>--config</c>, else
/// <c>appsettings.json</c> in the working directory when present), then environment variables
/// (<c>COINSHARD__CURRENCIES__LITECOIN__MODE=full</c>), then the flags below, then <c>--set KEY=VALUE</c>.
/// Runs until Ctrl-C or SIGTERM, then shuts down in order.
/// </summary>
internal static class RunCommand
{
    /// <summary>Exit code when the node refused to start (wrong network, port in use, unwritable data directory).</summary>
    public const int StartFailed = 3;

    public static Command Create(CliConsole console, Func<string, string?> environment)
    {
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: appsettings.json in the working directory, when present)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory: SQLite files and admin.token (default ~/.coinshard)." };
        var network = new Option<string?>("--network", "-n") { Description = "The network of the currency the flags below configure (e.g. litecoin-regtest)." };
        var mode = new Option<string?>("--mode") { Description = "utxo (default) or full." };
        var startHeight = new Option<int?>("--start-height") { Description = "First block to index when the index is empty." };
        var rpcUrl = new Option<string?>("--rpc-url") { Description = "The node's RPC URL (default http://127.0.0.1:<network's RPC port>/)." };
        var rpcUser = new Option<string?>("--rpc-user") { Description = "RPC user." };
        var rpcPassword = new Option<string?>("--rpc-password") { Description = "RPC password (prefer --rpc-cookie or the configuration file: command lines are visible to other users)." };
        var rpcCookie = new Option<string?>("--rpc-cookie") { Description = "The node's .cookie file." };
        var sqlite = new Option<string?>("--sqlite") { Description = "SQLite database file (default <data-dir>/<coin>.db)." };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string (instead of SQLite)." };
        var electrumTcp = new Option<int?>("--electrum-tcp-port") { Description = "Electrum TCP port (default 50001; 0 turns it off)." };
        var adminPort = new Option<int?>("--admin-port") { Description = "Admin API port (default 50080; 0 turns it off)." };
        var set = new Option<string[]>("--set") { Description = "Any setting, KEY=VALUE (e.g. Coinshard:Currencies:litecoin:Electrum:Tls:Port=0); repeatable.", AllowMultipleArgumentsPerToken = false };
        var logLevel = new Option<LogLevel?>("--log-level") { Description = "Trace, Debug, Information (default), Warning, Error." };
        var command = new Command("run", "Start a Coinshard node: index the configured currencies, serve Electrum and the admin API.")
        {
            config, dataDir, network, mode, startHeight, rpcUrl, rpcUser, rpcPassword, rpcCookie, sqlite, postgres, electrumTcp, adminPort, set, logLevel,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = Build(parse, environment, config, new FlagMap
            {
                DataDir = parse.GetValue(dataDir),
                Network = parse.GetValue(network),
                Mode = parse.GetValue(mode),
                StartHeight = parse.GetValue(startHeight),
                RpcUrl = parse.GetValue(rpcUrl),
                RpcUser = parse.GetValue(rpcUser),
                RpcPassword = parse.GetValue(rpcPassword),
                RpcCookie = parse.GetValue(rpcCookie),
                Sqlite = parse.GetValue(sqlite),
                Postgres = parse.GetValue(postgres),
                ElectrumTcpPort = parse.GetValue(electrumTcp),
                AdminPort = parse.GetValue(adminPort),
            }, parse.GetValue(set) ?? []);
            NodeSettings settings;
            try
            {
                settings = NodeSettings.From(configuration, environment);
            }
            catch (NodeConfigurationException e)
            {
                foreach (var problem in e.Problems)
                {
                    await console.Error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
                }
                return CliApp.UsageError;
            }
            using var logs = LoggerFactory.Create(b =>
            {
                b.AddConfiguration(configuration.GetSection("Logging"));
                b.SetMinimumLevel(parse.GetValue(logLevel) ?? LogLevel.Information);
                b.AddFilter("Microsoft", LogLevel.Warning);
                b.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
                    o.UseUtcTimestamp = true;
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            });
            return await RunAsync(settings, logs, console, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(NodeSettings settings, ILoggerFactory logs, CliConsole console, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        CoinshardNode node;
        try
        {
            node = await CoinshardNode.StartAsync(settings, logs, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BackendNetworkMismatchException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync($"error: cannot start: {CliErrors.OneLine(e)}").ConfigureAwait(false);
            return StartFailed;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        await using (node.ConfigureAwait(false))
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return 0;
    }

    private sealed record FlagMap
    {
        public string? DataDir { get; init; }
        public string? Network { get; init; }
        public string? Mode { get; init; }
        public int? StartHeight { get; init; }
        public string? RpcUrl { get; init; }
        public string? RpcUser { get; init; }
        public string? RpcPassword { get; init; }
        public string? RpcCookie { get; init; }
        public string? Sqlite { get; init; }
        public string? Postgres { get; init; }
        public int? ElectrumTcpPort { get; init; }
        public int? AdminPort { get; init; }

        public bool ConfiguresCurrency =>
            new[] { Network, Mode, RpcUrl, RpcUser, RpcPassword, RpcCookie, Sqlite, Postgres }.Any(v => v is not null)
            || StartHeight is not null || ElectrumTcpPort is not null;
    }

    private static IConfigurationRoot Build(ParseResult parse, Func<string, string?> environment, Option<string?> configOption, FlagMap flags, string[] sets)
    {
        var builder = new ConfigurationBuilder();
        var file = parse.GetValue(configOption);
        if (file is not null)
        {
            var full = Path.GetFullPath(NodeSettings.ExpandHome(file));
            if (!File.Exists(full))
            {
                throw new CliUsageException($"configuration file not found: {full}");
            }
            builder.AddJsonFile(full, optional: false);
        }
        else if (File.Exists(Path.Combine(Environment.CurrentDirectory, "appsettings.json")))
        {
            builder.AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: false);
        }
        builder.AddInMemoryCollection(EnvironmentSettings(environment));
        IConfigurationRoot partial;
        try
        {
            partial = builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new CliUsageException($"cannot read the configuration file: {CliErrors.OneLine(e)}");
        }

        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (flags.DataDir is not null)
        {
            overrides["Coinshard:DataDir"] = flags.DataDir;
        }
        if (flags.AdminPort is { } admin)
        {
            overrides["Coinshard:Admin:Port"] = admin.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (flags.ConfiguresCurrency)
        {
            var coin = CurrencyKey(flags.Network, partial);
            var c = $"Coinshard:Currencies:{coin}";
            Put(overrides, $"{c}:Network", flags.Network);
            Put(overrides, $"{c}:Mode", flags.Mode);
            Put(overrides, $"{c}:StartHeight", flags.StartHeight?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Put(overrides, $"{c}:Backends:0:Url", flags.RpcUrl);
            Put(overrides, $"{c}:Backends:0:User", flags.RpcUser);
            Put(overrides, $"{c}:Backends:0:Password", flags.RpcPassword);
            Put(overrides, $"{c}:Backends:0:CookieFile", flags.RpcCookie);
            if (flags.Postgres is not null)
            {
                overrides[$"{c}:Store:Engine"] = "postgresql";
                overrides[$"{c}:Store:ConnectionString"] = flags.Postgres;
            }
            Put(overrides, $"{c}:Store:Path", flags.Sqlite);
            Put(overrides, $"{c}:Electrum:Tcp:Port", flags.ElectrumTcpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (var pair in sets)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"--set '{pair}' is not KEY=VALUE");
            }
            overrides[pair[..equals].Trim()] = pair[(equals + 1)..];
        }
        builder.AddInMemoryCollection(overrides);
        return builder.Build();
    }

    /// <summary>
    /// Environment variables as configuration keys: <c>COINSHARD__A__B</c> is <c>Coinshard:A:B</c>, and
    /// <c>Logging__…</c> configures logging (the .NET conventions, read through the injected environment).
    /// </summary>
    private static Dictionary<string, string?> EnvironmentSettings(Func<string, string?> environment)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("COINSHARD__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase))
            {
                result[name.Replace("__", ":", StringComparison.Ordinal)] = environment(name);
            }
        }
        return result;
    }

    private static string CurrencyKey(string? networkName, IConfiguration partial)
    {
        if (networkName is not null)
        {
            return Network.TryParse(networkName, out var network)
                ? CoinNames.Of(network.Currency)
                : throw new CliUsageException($"unknown network '{networkName}'; expected one of {string.Join(", ", Network.All.Select(n => n.Name))}");
        }
        var configured = partial.GetSection("Coinshard:Currencies").GetChildren().Select(c => c.Key).ToList();
        return configured.Count == 1
            ? configured[0]
            : throw new CliUsageException(configured.Count == 0
                ? "give --network for the currency these flags configure (no currency is in the configuration yet)"
                : $"give --network: the configuration has several currencies ({string.Join(", ", configured)})");
    }

    private static void Put(Dictionary<string, string?> settings, string key, string? value)
    {
        if (value is not null)
        {
            settings[key] = value;
        }
    }
}
