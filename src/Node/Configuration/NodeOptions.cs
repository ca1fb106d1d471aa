namespace Coinshard.Node.Configuration;

/// <summary>
/// The node's configuration as written in <c>appsettings.json</c>, environment variables
/// (<c>COINSHARD__CURRENCIES__LITECOIN__MODE=full</c>) and <c>coinshard run</c> flags: the section
/// <see cref="Section"/>. Bound as is, then checked and resolved by <see cref="NodeSettings.From"/>.
/// </summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section of the whole node.</summary>
    public const string Section = "Coinshard";

    /// <summary>Where SQLite databases and the admin token file live (default <c>~/.coinshard</c>).</summary>
    public string? DataDir { get; set; }

    /// <summary>This node's name in leases, status and logs (default: host name and process id).</summary>
    public string? NodeName { get; set; }

    /// <summary>The admin HTTP API.</summary>
    public AdminOptions Admin { get; set; } = new();

    /// <summary>The currencies this node indexes, by currency name (<c>bitcoin</c>, <c>litecoin</c>).</summary>
    public Dictionary<string, CurrencyOptions> Currencies { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The admin HTTP API: its own listener, off the public Electrum ports, and a bearer token.</summary>
public sealed class AdminOptions
{
    /// <summary>Where to listen (default loopback only).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The port (default 50080); 0 turns the admin API off.</summary>
    public int Port { get; set; } = AdminDefaults.Port;

    /// <summary>
    /// The token every admin request must carry (<c>Authorization: Bearer …</c>). When neither this nor
    /// <see cref="TokenFile"/> is set, a random token is written to <c>{DataDir}/admin.token</c> at start-up,
    /// like Bitcoin Core's cookie file.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>A file holding the token (a Kubernetes Secret mounted as a file).</summary>
    public string? TokenFile { get; set; }
}

/// <summary>Defaults shared by the node and the command line.</summary>
public static class AdminDefaults
{
    /// <summary>The admin API's default port.</summary>
    public const int Port = 50080;

    /// <summary>The generated token's file name inside the data directory.</summary>
    public const string TokenFileName = "admin.token";

    /// <summary>The default data directory: <c>~/.coinshard</c>.</summary>
    public static string DataDir =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".coinshard");
}

/// <summary>One currency: which network, how it is indexed, where the index lives, which nodes feed it, how it is served.</summary>
public sealed class CurrencyOptions
{
    /// <summary>The network (<c>litecoin-mainnet</c>, <c>bitcoin-regtest</c>, <c>ltc-testnet</c>…); required.</summary>
    public string? Network { get; set; }

    /// <summary><c>utxo</c> (default) or <c>full</c>.</summary>
    public string Mode { get; set; } = "utxo";

    /// <summary>First block to index when the index is empty (default genesis).</summary>
    public int? StartHeight { get; set; }

    /// <summary>A <c>dumptxoutset</c> file to load when the index is empty (utxo mode), then follow from its base block.</summary>
    public SnapshotSection Snapshot { get; set; } = new();

    /// <summary>Blocks of undo data kept (default 100 for Bitcoin, 800 for Litecoin).</summary>
    public int? UndoDepth { get; set; }

    /// <summary>Scripthash shard actors (fixed once the index exists).</summary>
    public int ShardCount { get; set; } = 16;

    /// <summary>How often the follower asks the node for a new tip (default 1 s).</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>Follower lease lifetime (default 15 s): another node takes over this long after this one stops.</summary>
    public TimeSpan? LeaseTtl { get; set; }

    /// <summary>Where the index lives.</summary>
    public StoreSection Store { get; set; } = new();

    /// <summary>The nodes (backends) this currency follows, in order of preference; at least one.</summary>
    public List<BackendSection> Backends { get; set; } = [];

    /// <summary>The Electrum gateway of this currency (listeners, certificate, limits; shared defaults in <c>Coinshard:Electrum</c>).</summary>
    public ElectrumSection Electrum { get; set; } = new();
}

/// <summary>Where a currency's index lives.</summary>
/// <summary><c>Coinshard:Currencies:NAME:Snapshot</c>.</summary>
public sealed class SnapshotSection
{
    /// <summary>The snapshot file (null: build the index from the chain).</summary>
    public string? File { get; set; }

    /// <summary>Outputs below this many satoshis are not loaded (0: all). Balances then exclude them.</summary>
    public long DustLimit { get; set; }
}

/// <summary><c>Coinshard:Currencies:NAME:Store</c>.</summary>
public sealed class StoreSection
{
    /// <summary><c>sqlite</c> (default) or <c>postgresql</c>.</summary>
    public string Engine { get; set; } = "sqlite";

    /// <summary>SQLite: the database file (default <c>{DataDir}/{currency}.db</c>).</summary>
    public string? Path { get; set; }

    /// <summary>PostgreSQL: the Npgsql connection string (required for that engine).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite: MiB of the file readers map into memory (default 2048, SQLite's cap; 0 turns mapping off).</summary>
    public int? MemoryMapMiB { get; set; }
}

/// <summary>One backend node.</summary>
public sealed class BackendSection
{
    /// <summary>The adapter: <c>core</c> (Bitcoin Core / Litecoin Core JSON-RPC).</summary>
    public string Kind { get; set; } = "core";

    /// <summary>The RPC URL (default <c>http://127.0.0.1:{the network's RPC port}/</c>).</summary>
    public string? Url { get; set; }

    /// <summary>RPC user (with <see cref="Password"/>).</summary>
    public string? User { get; set; }

    /// <summary>RPC password (never logged).</summary>
    public string? Password { get; set; }

    /// <summary>The node's <c>.cookie</c> file, instead of user and password.</summary>
    public string? CookieFile { get; set; }

    /// <summary>Fetch blocks over the node's REST interface when it has <c>-rest</c> (default true).</summary>
    public bool Rest { get; set; } = true;

    /// <summary>Timeout of an ordinary call (default 30 s).</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>What this node adds to the Electrum options of one currency.</summary>
public sealed class ElectrumSection
{
    /// <summary>Serve this currency over the Electrum protocol (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Open the listeners before the index has caught up with the node (default false: like Fulcrum,
    /// wallets are served only once the index is at the node's tip, so they never see a stale chain).
    /// </summary>
    public bool ServeBeforeSynced { get; set; }

    /// <summary><c>server.banner</c>.</summary>
    public string? Banner { get; set; }

    /// <summary><c>server.donation_address</c>.</summary>
    public string? DonationAddress { get; set; }

    /// <summary>Most history entries or unspent outputs returned for one scripthash (default 50,000).</summary>
    public int? MaxHistory { get; set; }

    /// <summary>How often the mempool and the change feed are polled for notifications (default 1 s).</summary>
    public TimeSpan? NotifyInterval { get; set; }
}
