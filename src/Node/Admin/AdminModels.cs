namespace Coinshard.Node.Admin;

// The admin API's JSON documents (snake_case on the wire). The CLI reads the same records.

/// <summary><c>GET /v1/status</c>.</summary>
public sealed record NodeStatusDocument(NodeInfoDocument Node, IReadOnlyList<CurrencyStatusDocument> Currencies);

/// <summary>The node itself.</summary>
public sealed record NodeInfoDocument(string Name, string Version, DateTimeOffset StartedAt, long UptimeSeconds, bool Alive, bool Ready);

/// <summary>A block: height and hash (display hex).</summary>
public sealed record TipDocument(int Height, string Hash);

/// <summary>Catch-up speed.</summary>
public sealed record ProgressDocument(double BlocksPerSecond, double InputsOutputsPerSecond, double? EtaSeconds);

/// <summary>A backend's identity and health (no credentials); <c>circuit</c> is closed while it is in service.</summary>
public sealed record BackendDocument(string Name, string Health, string? LastError, string Capabilities, string Circuit, long Calls, long Failures, bool ChainSource);

/// <summary>The Electrum gateway of a currency.</summary>
public sealed record ElectrumDocument(string State, string? Error, IReadOnlyList<string> Endpoints, int Sessions, int Subscriptions, int MempoolTransactions);

/// <summary><c>GET /v1/{coin}/status</c> and one entry of the node's status.</summary>
public sealed record CurrencyStatusDocument(
    string Coin,
    string Network,
    string Mode,
    string State,
    bool Healthy,
    TipDocument? IndexTip,
    TipDocument? NodeTip,
    int? Lag,
    bool HoldsLease,
    string? LastError,
    ProgressDocument? Progress,
    string Store,
    IReadOnlyList<BackendDocument> Backends,
    ElectrumDocument Electrum);

/// <summary>One unspent output.</summary>
public sealed record UtxoDocument(string Txid, uint Vout, long Value, int Height, bool Coinbase);

/// <summary><c>GET /v1/{coin}/utxos/{address|scripthash}</c>.</summary>
public sealed record UtxosDocument(string Coin, string? Address, string Scripthash, int Height, int Count, long Total, bool Truncated, IReadOnlyList<UtxoDocument> Utxos);

/// <summary><c>GET /v1/{coin}/balance/{address|scripthash}</c>: confirmed from the index, unconfirmed the mempool delta (may be negative).</summary>
public sealed record BalanceDocument(string Coin, string? Address, string Scripthash, int Height, long Confirmed, long Unconfirmed);

/// <summary><c>POST /v1/{coin}/follower/rewind</c>.</summary>
public sealed record RewindDocument(string Coin, TipDocument From, TipDocument To, int BlocksDisconnected);

/// <summary><c>POST /v1/{coin}/follower/reset</c>.</summary>
public sealed record ResetDocument(string Coin, string State);

/// <summary><c>GET /v1/{coin}/stats</c>: the index's UTXO set totals at its tip (compare with the node's <c>gettxoutsetinfo</c>).</summary>
public sealed record StatsDocument(string Coin, TipDocument? Tip, long Coins, long Total, int? UndoLowest, int? UndoHighest);

/// <summary>
/// <c>GET /v1/{coin}/snapshot</c> and the answer of <c>POST /v1/{coin}/snapshot/load</c>. <c>state</c>: none, locating, coins,
/// headers, publishing, complete, failed, or interrupted (a load recorded in the store that no process runs: never served).
/// </summary>
public sealed record SnapshotDocument(
    string Coin,
    string State,
    string? File,
    long DustLimit,
    int? BaseHeight,
    string? BaseHash,
    long Coins,
    long Total,
    long Skipped,
    long Bytes,
    long BytesTotal,
    double Rate,
    double? EtaSeconds,
    int Headers,
    double ElapsedSeconds,
    string? Error);

/// <summary>Every error: one line, no secrets.</summary>
public sealed record ErrorDocument(string Error);
