using System.Globalization;
using System.Net;

using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Server;
using Coinshard.Indexing;
using Coinshard.Indexing.Snapshots;
using Coinshard.Storage;

using Microsoft.Extensions.Configuration;

namespace Coinshard.Node.Configuration;

/// <summary>The node's configuration, checked and resolved: what <see cref="Hosting.CoinshardNode"/> runs.</summary>
/// <param name="DataDir">The data directory (absolute).</param>
/// <param name="NodeName">This node's name in leases and status.</param>
/// <param name="Admin">The admin API; null when turned off.</param>
/// <param name="Currencies">One entry per configured currency.</param>
public sealed record NodeSettings(string DataDir, string NodeName, AdminSettings? Admin, IReadOnlyList<CurrencySettings> Currencies)
{
    /// <summary>
    /// Binds <see cref="NodeOptions.Section"/> of <paramref name="configuration"/> and resolves it. The environment
    /// names <c>TCP_PORT</c>, <c>TLS_PORT</c>, <c>TLS_CERT_PATH</c>, <c>TLS_KEY_PATH</c> apply to the Electrum
    /// listeners when exactly one currency is configured.
    /// </summary>
    /// <exception cref="NodeConfigurationException">Something is missing or wrong; the message lists every problem by its setting name.</exception>
    public static NodeSettings From(IConfiguration configuration, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        environment ??= Environment.GetEnvironmentVariable;
        var options = new NodeOptions();
        var problems = new List<string>();
        try
        {
            configuration.GetSection(NodeOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new NodeConfigurationException([$"cannot read the {NodeOptions.Section} section: {e.Message}"]);
        }

        var dataDir = Path.GetFullPath(ExpandHome(string.IsNullOrWhiteSpace(options.DataDir) ? AdminDefaults.DataDir : options.DataDir));
        var nodeName = string.IsNullOrWhiteSpace(options.NodeName)
            ? $"{Environment.MachineName}:{Environment.ProcessId}"
            : options.NodeName.Trim();
        var admin = ResolveAdmin(options.Admin, dataDir, problems);

        if (options.Currencies.Count == 0)
        {
            problems.Add($"no currency is configured: add a {NodeOptions.Section}:Currencies:litecoin (or bitcoin) section with at least Network and Backends");
        }
        var currencies = new List<CurrencySettings>();
        foreach (var (key, currency) in options.Currencies.OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase))
        {
            var path = $"{NodeOptions.Section}:Currencies:{key}";
            var resolved = ResolveCurrency(configuration, path, key, currency, dataDir, nodeName, options.Currencies.Count == 1 ? environment : null, problems);
            if (resolved is not null)
            {
                currencies.Add(resolved);
            }
        }
        if (options.Currencies.Count > 1 && ElectrumEnvironmentNames.Any(n => !string.IsNullOrEmpty(environment(n))))
        {
            problems.Add($"the environment variables {string.Join(", ", ElectrumEnvironmentNames)} apply only when one currency is configured; set Electrum ports per currency instead ({NodeOptions.Section}:Currencies:NAME:Electrum:Tcp:Port)");
        }
        CheckPortConflicts(admin, currencies, problems);
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }
        return new NodeSettings(dataDir, nodeName, admin, currencies);
    }

    private static readonly string[] ElectrumEnvironmentNames = ["TCP_PORT", "TLS_PORT", "TLS_CERT_PATH", "TLS_KEY_PATH"];

    private static AdminSettings? ResolveAdmin(AdminOptions admin, string dataDir, List<string> problems)
    {
        const string path = NodeOptions.Section + ":Admin";
        if (admin.Port == 0)
        {
            return null;
        }
        if (admin.Port is < 0 or > 65535)
        {
            problems.Add($"{path}:Port must be 0 (off) to 65535, not {admin.Port}");
        }
        if (!IPAddress.TryParse(admin.BindAddress?.Trim(), out var bind) && admin.BindAddress?.Trim() != "*")
        {
            problems.Add($"{path}:BindAddress '{admin.BindAddress}' is neither '*' nor an IP address");
        }
        if (!string.IsNullOrEmpty(admin.Token) && !string.IsNullOrEmpty(admin.TokenFile))
        {
            problems.Add($"{path}: set Token or TokenFile, not both");
        }
        if (admin.Token is { Length: > 0 and < AdminSettings.MinTokenLength })
        {
            problems.Add($"{path}:Token must be at least {AdminSettings.MinTokenLength} characters");
        }
        var source = !string.IsNullOrEmpty(admin.Token) ? AdminTokenSource.Configured
            : !string.IsNullOrEmpty(admin.TokenFile) ? AdminTokenSource.File
            : AdminTokenSource.Generated;
        var tokenFile = source switch
        {
            AdminTokenSource.File => Path.GetFullPath(ExpandHome(admin.TokenFile!)),
            AdminTokenSource.Generated => Path.Combine(dataDir, AdminDefaults.TokenFileName),
            _ => null,
        };
        return new AdminSettings(bind ?? IPAddress.Any, admin.Port, source, admin.Token, tokenFile);
    }

    private static CurrencySettings? ResolveCurrency(
        IConfiguration configuration, string path, string key, CurrencyOptions options, string dataDir, string nodeName,
        Func<string, string?>? environment, List<string> problems)
    {
        var before = problems.Count;
        if (string.IsNullOrWhiteSpace(options.Network))
        {
            problems.Add($"{path}:Network is required (e.g. {key.ToLowerInvariant()}-mainnet)");
            return null;
        }
        if (!Network.TryParse(options.Network, out var network))
        {
            problems.Add($"{path}:Network '{options.Network}' is unknown; expected one of {string.Join(", ", Network.All.Select(n => n.Name))}");
            return null;
        }
        var coin = CoinNames.Of(network.Currency);
        if (!CoinNames.Matches(key, network.Currency))
        {
            problems.Add($"{path}: the section is named '{key}' but its network {network.Name} is {coin}; name the section '{coin}'");
        }
        IndexMode mode = IndexMode.Utxo;
        if (!Enum.TryParse(options.Mode?.Trim(), ignoreCase: true, out mode) || !Enum.IsDefined(mode))
        {
            problems.Add($"{path}:Mode '{options.Mode}' must be utxo or full");
        }
        if (options.StartHeight is < 0)
        {
            problems.Add($"{path}:StartHeight must not be negative");
        }
        if (options.UndoDepth is < 1)
        {
            problems.Add($"{path}:UndoDepth must be at least 1");
        }
        var snapshot = ResolveSnapshot($"{path}:Snapshot", options.Snapshot, mode, options.StartHeight, problems);
        if (options.ShardCount is < 1 or > 4096)
        {
            problems.Add($"{path}:ShardCount must be 1 to 4096, not {options.ShardCount}");
        }
        Positive(problems, $"{path}:PollInterval", options.PollInterval);
        Positive(problems, $"{path}:LeaseTtl", options.LeaseTtl);
        Positive(problems, $"{path}:Electrum:NotifyInterval", options.Electrum.NotifyInterval);
        if (options.Electrum.MaxHistory is < 1)
        {
            problems.Add($"{path}:Electrum:MaxHistory must be at least 1");
        }

        var store = ResolveStore($"{path}:Store", options.Store, dataDir, coin, problems);
        var backends = new List<BackendSettings>();
        if (options.Backends.Count == 0)
        {
            problems.Add($"{path}:Backends is empty: add at least one node, e.g. {{ \"Url\": \"http://127.0.0.1:{network.DefaultRpcPort}/\", \"CookieFile\": \"…/.cookie\" }}");
        }
        for (var i = 0; i < options.Backends.Count; i++)
        {
            if (ResolveBackend($"{path}:Backends:{i}", options.Backends[i], network, problems) is { } backend)
            {
                backends.Add(backend);
            }
        }

        ElectrumServerOptions? electrum = null;
        if (options.Electrum.Enabled)
        {
            electrum = new ElectrumServerOptions();
            try
            {
                configuration.GetSection(ElectrumServerOptions.ConfigurationSection).Bind(electrum);
                configuration.GetSection($"{path}:Electrum").Bind(electrum);
                if (environment is not null)
                {
                    electrum.ApplyEnvironment(environment);
                }
                electrum.Validate();
            }
            catch (InvalidOperationException e)
            {
                problems.Add($"{path}:Electrum: {e.Message}");
            }
        }
        if (problems.Count > before || store is null)
        {
            return null;
        }

        var indexer = new IndexerOptions(network)
        {
            Mode = mode,
            StartHeight = options.StartHeight,
            UndoDepth = options.UndoDepth,
            ShardCount = options.ShardCount,
            PollInterval = options.PollInterval ?? TimeSpan.FromSeconds(1),
            LeaseTtl = options.LeaseTtl ?? TimeSpan.FromSeconds(15),
            Owner = nodeName,
            Snapshot = snapshot,
        };
        var info = new ElectrumServerInfo
        {
            Banner = options.Electrum.Banner ?? new ElectrumServerInfo().Banner,
            DonationAddress = options.Electrum.DonationAddress ?? "",
            MaxHistory = options.Electrum.MaxHistory ?? new ElectrumServerInfo().MaxHistory,
        };
        var gateway = electrum is null
            ? null
            : new ElectrumGatewaySettings(electrum, info, options.Electrum.ServeBeforeSynced, options.Electrum.NotifyInterval ?? TimeSpan.FromSeconds(1));
        return new CurrencySettings(coin, network, indexer, store, backends, gateway);
    }

    private static SnapshotSource? ResolveSnapshot(string path, SnapshotSection section, IndexMode mode, int? startHeight, List<string> problems)
    {
        if (section.DustLimit < 0)
        {
            problems.Add($"{path}:DustLimit must not be negative");
        }
        if (string.IsNullOrWhiteSpace(section.File))
        {
            if (section.DustLimit > 0)
            {
                problems.Add($"{path}:DustLimit is set but {path}:File is not: the dust limit applies to a snapshot load");
            }
            return null;
        }
        if (mode != IndexMode.Utxo)
        {
            problems.Add($"{path}:File needs Mode utxo: a UTXO snapshot carries no history for full mode");
        }
        if (startHeight is not null)
        {
            problems.Add($"{path}:File and StartHeight exclude each other: a snapshot index starts at the snapshot's base block");
        }
        // Not required to exist: it is read only while the index is empty (a missing file then faults the follower, saying so).
        return new SnapshotSource(Path.GetFullPath(section.File), Math.Max(0, section.DustLimit));
    }

    private static StoreOptions? ResolveStore(string path, StoreSection store, string dataDir, string coin, List<string> problems)
    {
        switch (store.Engine?.Trim().ToLowerInvariant())
        {
            case "sqlite":
                if (!string.IsNullOrEmpty(store.ConnectionString))
                {
                    problems.Add($"{path}:ConnectionString is for PostgreSQL; SQLite takes Path");
                    return null;
                }
                var file = string.IsNullOrWhiteSpace(store.Path) ? Path.Combine(dataDir, $"{coin}.db") : Path.GetFullPath(ExpandHome(store.Path), dataDir);
                if (store.MemoryMapMiB is < 0)
                {
                    problems.Add($"{path}:MemoryMapMiB must be 0 (off) or more");
                    return null;
                }
                return store.MemoryMapMiB is { } mib
                    ? StoreOptions.Sqlite(file) with { SqliteMemoryMapBytes = (long)mib << 20 }
                    : StoreOptions.Sqlite(file);
            case "postgresql" or "postgres":
                if (string.IsNullOrWhiteSpace(store.ConnectionString))
                {
                    problems.Add($"{path}:ConnectionString is required for PostgreSQL (e.g. Host=db;Database=coinshard;Username=coinshard;Password=…)");
                    return null;
                }
                if (store.MemoryMapMiB is not null)
                {
                    problems.Add($"{path}:MemoryMapMiB is for SQLite");
                    return null;
                }
                return StoreOptions.PostgreSql(store.ConnectionString);
            default:
                problems.Add($"{path}:Engine '{store.Engine}' must be sqlite or postgresql");
                return null;
        }
    }

    private static BackendSettings? ResolveBackend(string path, BackendSection backend, Network network, List<string> problems)
    {
        if (!string.Equals(backend.Kind?.Trim(), "core", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{path}:Kind '{backend.Kind}' is not available; this build has: core (Bitcoin Core / Litecoin Core JSON-RPC)");
            return null;
        }
        var urlText = string.IsNullOrWhiteSpace(backend.Url) ? $"http://127.0.0.1:{network.DefaultRpcPort}/" : backend.Url.Trim();
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{path}:Url '{Redact(urlText)}' is not an http(s) URL");
            return null;
        }
        var hasPassword = !string.IsNullOrEmpty(backend.User) || !string.IsNullOrEmpty(backend.Password);
        var hasCookie = !string.IsNullOrWhiteSpace(backend.CookieFile);
        var hasUrlUser = !string.IsNullOrEmpty(url.UserInfo);
        RpcCredentials? credentials = null;
        if (hasPassword && hasCookie)
        {
            problems.Add($"{path}: set User and Password, or CookieFile, not both");
            return null;
        }
        if (hasPassword)
        {
            if (string.IsNullOrEmpty(backend.User) || backend.Password is null)
            {
                problems.Add($"{path}: User and Password go together");
                return null;
            }
            try
            {
                credentials = RpcCredentials.FromUserPassword(backend.User, backend.Password);
            }
            catch (ArgumentException e)
            {
                problems.Add($"{path}:User: {e.Message}");
                return null;
            }
        }
        else if (hasCookie)
        {
            credentials = RpcCredentials.FromCookieFile(Path.GetFullPath(ExpandHome(backend.CookieFile!)));
        }
        else if (!hasUrlUser)
        {
            problems.Add($"{path}: no credentials: set CookieFile (the node's <datadir>/[chain/].cookie) or User and Password");
            return null;
        }
        if (backend.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problems.Add($"{path}:Timeout must be positive");
            return null;
        }
        var rpc = new CoreRpcOptions { Url = url, Credentials = credentials, Timeout = backend.Timeout ?? TimeSpan.FromSeconds(30) };
        return new BackendSettings(rpc, new CoreRpcBackendOptions { UseRest = backend.Rest });
    }

    private static void CheckPortConflicts(AdminSettings? admin, List<CurrencySettings> currencies, List<string> problems)
    {
        var used = new Dictionary<int, string>();
        void Claim(int port, string owner)
        {
            if (port == 0)
            {
                return;
            }
            if (used.TryGetValue(port, out var other))
            {
                problems.Add($"port {port.ToString(CultureInfo.InvariantCulture)} is configured twice: {other} and {owner}");
            }
            else
            {
                used[port] = owner;
            }
        }
        if (admin is not null)
        {
            Claim(admin.Port, $"{NodeOptions.Section}:Admin:Port");
        }
        foreach (var currency in currencies)
        {
            if (currency.Electrum is not { } gateway)
            {
                continue;
            }
            var o = gateway.Options;
            var prefix = $"{NodeOptions.Section}:Currencies:{currency.Coin}:Electrum";
            Claim(o.Tcp.Port, $"{prefix}:Tcp:Port");
            Claim(o.Tls.Port, $"{prefix}:Tls:Port");
            Claim(o.WebSocket.Port, $"{prefix}:WebSocket:Port");
            Claim(o.SecureWebSocket.Port, $"{prefix}:SecureWebSocket:Port");
        }
    }

    private static void Positive(List<string> problems, string name, TimeSpan? value)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            problems.Add($"{name} must be positive, not {v}");
        }
    }

    /// <summary>A URL without its user-info part (which may hold a password).</summary>
    internal static string Redact(string url)
    {
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? url[..(scheme + 3)] + "…@" + url[(at + 1)..] : url;
    }

    /// <summary>Expands a leading <c>~/</c> to the user's home directory.</summary>
    public static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}

/// <summary>How the admin API's token is obtained.</summary>
public enum AdminTokenSource
{
    /// <summary>Given in the configuration.</summary>
    Configured,

    /// <summary>Read from a file someone else wrote (a mounted secret).</summary>
    File,

    /// <summary>Generated at start-up and written to the data directory.</summary>
    Generated,
}

/// <summary>The admin API, resolved.</summary>
/// <param name="BindAddress">Where to listen.</param>
/// <param name="Port">The port.</param>
/// <param name="TokenSource">Where the token comes from.</param>
/// <param name="Token">The configured token (for <see cref="AdminTokenSource.Configured"/>).</param>
/// <param name="TokenFile">The token file (read, or written when generated).</param>
public sealed record AdminSettings(IPAddress BindAddress, int Port, AdminTokenSource TokenSource, string? Token, string? TokenFile)
{
    /// <summary>Shortest token accepted from the configuration.</summary>
    public const int MinTokenLength = 16;

    /// <inheritdoc />
    public override string ToString() => $"{BindAddress}:{Port} (token {TokenSource})";
}

/// <summary>One backend node, resolved.</summary>
/// <param name="Rpc">How to reach it.</param>
/// <param name="Options">Adapter options.</param>
public sealed record BackendSettings(CoreRpcOptions Rpc, CoreRpcBackendOptions Options);

/// <summary>One currency's Electrum gateway, resolved.</summary>
/// <param name="Options">Listeners, certificate, limits.</param>
/// <param name="Info">What server.* methods report.</param>
/// <param name="ServeBeforeSynced">Open the listeners before the index reached the node's tip.</param>
/// <param name="NotifyInterval">Mempool and change-feed poll interval.</param>
public sealed record ElectrumGatewaySettings(ElectrumServerOptions Options, ElectrumServerInfo Info, bool ServeBeforeSynced, TimeSpan NotifyInterval);

/// <summary>One currency, resolved.</summary>
/// <param name="Coin">The currency's lower-case name (<c>bitcoin</c>, <c>litecoin</c>): table prefix, API path, CLI <c>--coin</c>.</param>
/// <param name="Network">The network.</param>
/// <param name="Indexer">The indexer's options.</param>
/// <param name="Store">Where the index lives.</param>
/// <param name="Backends">The backends, in order of preference.</param>
/// <param name="Electrum">The Electrum gateway; null when turned off.</param>
public sealed record CurrencySettings(
    string Coin, Network Network, IndexerOptions Indexer, StoreOptions Store, IReadOnlyList<BackendSettings> Backends, ElectrumGatewaySettings? Electrum);

/// <summary>A configuration that cannot run; the message lists every problem.</summary>
public sealed class NodeConfigurationException(IReadOnlyList<string> problems)
    : Exception("invalid configuration: " + string.Join("; ", problems))
{
    /// <summary>Each problem, naming its setting.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
