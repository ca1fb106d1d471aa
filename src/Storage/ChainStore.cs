using System.Data.Common;
using System.Globalization;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;
using Coinshard.Storage.Loading;
using Coinshard.Storage.PostgreSql;
using Coinshard.Storage.Sqlite;

namespace Coinshard.Storage;

/// <summary>
/// The SQL store of one currency: headers of the active chain, the exact UTXO set indexed by
/// scripthash key, undo data for the last K blocks, history and transaction positions (full mode),
/// a change feed for readers on other nodes, and leases that elect the one writer.
/// </summary>
/// <remarks>
/// Writes (connect, disconnect) are single database transactions: a crash at any point leaves the
/// previous block's state. Every write re-checks the caller's lease inside its transaction (fencing),
/// so a writer whose lease was taken over cannot write. Reads use separate connections and may run
/// concurrently with the writer and with each other. The instance is thread-safe; writes are serialized.
/// </remarks>
public sealed partial class ChainStore : IAsyncDisposable
{
    private const string KeyNetwork = "network";
    private const string KeyMode = "mode";
    private const string KeyHistoryStart = "history_start_height";
    private const string KeyShardCount = "shard_count";
    private const string KeyUndoDepth = "undo_depth";
    private const string KeyScripthashKey = "scripthash_key";

    private readonly StoreBackend _db;
    private readonly TableNames _t;
    private volatile ChainStoreSettings? _settings;

    private ChainStore(StoreBackend backend, Currency currency)
    {
        _db = backend;
        _t = backend.Tables;
        Currency = currency;
    }

    /// <summary>The currency whose tables this store reads and writes.</summary>
    public Currency Currency { get; }

    /// <summary>The engine in use.</summary>
    public StoreEngine Engine => _db.Options.Engine;

    /// <summary>The settings recorded in the database (null until <see cref="InitializeAsync"/> ran once).</summary>
    public ChainStoreSettings? Settings => _settings;

    /// <summary>Name of the lease that elects the currency's chain follower.</summary>
    public string FollowerLeaseName => _t.Prefix + ".follower";

    /// <summary>Called at named points inside write transactions ("connect:before-commit", "disconnect:before-commit") by crash tests.</summary>
    internal Func<string, DbConnection, Task>? FaultInjection { get; set; }

    /// <summary>
    /// Opens the store and brings the schema up to date (versioned migrations in one transaction,
    /// serialized across processes). Loads the recorded settings when the currency was initialized.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The database cannot be opened or reached.</exception>
    /// <exception cref="SchemaTooNewException">A newer Coinshard migrated the database.</exception>
    public static async Task<ChainStore> OpenAsync(StoreOptions options, Currency currency, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tables = new TableNames(currency);
        StoreBackend backend = options.Engine switch
        {
            StoreEngine.Sqlite => new SqliteBackend(options, tables),
            StoreEngine.PostgreSql => new PostgresBackend(options, tables),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Engine, "unknown store engine"),
        };
        var store = new ChainStore(backend, currency);
        try
        {
            await store.Guard(async () =>
            {
                await backend.OpenAsync(ct).ConfigureAwait(false);
                await store.MigrateAsync(ct).ConfigureAwait(false);
                store._settings = await store.ReadSettingsAsync(ct).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return store;
    }

    /// <summary>Opens the store and initializes (or verifies) the currency's settings: what a node does at start-up.</summary>
    /// <exception cref="StoreSettingsMismatchException">The tables were initialized with other settings.</exception>
    public static async Task<ChainStore> OpenAsync(StoreOptions options, ChainStoreSettings settings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var store = await OpenAsync(options, settings.Network.Currency, ct).ConfigureAwait(false);
        try
        {
            await store.InitializeAsync(settings, ct).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return store;
    }

    /// <summary>
    /// Records the settings on first use; afterwards verifies that network, mode, shard count and (full
    /// mode) history start height are unchanged. The undo depth may change and is updated.
    /// </summary>
    /// <exception cref="StoreSettingsMismatchException">The tables were initialized with other settings.</exception>
    public Task InitializeAsync(ChainStoreSettings settings, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings.Network.Currency != Currency)
        {
            throw new ArgumentException($"network {settings.Network.Name} is not a {Currency} network", nameof(settings));
        }
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            var stored = await ReadStateAsync(tx.Command($"SELECT key, value FROM {_t.State}"), ct).ConfigureAwait(false);
            var wanted = new Dictionary<string, string>
            {
                [KeyNetwork] = settings.Network.Name,
                [KeyMode] = settings.Mode == IndexMode.Full ? "full" : "utxo",
                [KeyHistoryStart] = settings.HistoryStartHeight.ToString(CultureInfo.InvariantCulture),
                [KeyShardCount] = settings.ShardCount.ToString(CultureInfo.InvariantCulture),
                [KeyUndoDepth] = settings.UndoDepth.ToString(CultureInfo.InvariantCulture),
                [KeyScripthashKey] = ScripthashKeys.Scheme,
            };
            if (stored.Count > 0)
            {
                var fixedKeys = new List<string> { KeyNetwork, KeyMode, KeyShardCount, KeyScripthashKey };
                if (settings.Mode == IndexMode.Full)
                {
                    fixedKeys.Add(KeyHistoryStart);
                }
                var differences = fixedKeys
                    .Where(k => !stored.TryGetValue(k, out var v) || v != wanted[k])
                    .Select(k => $"{k} is '{stored.GetValueOrDefault(k, "(missing)")}' in the database but '{wanted[k]}' in the settings")
                    .ToList();
                if (differences.Count > 0)
                {
                    throw new StoreSettingsMismatchException(
                        $"the {_t.Prefix} tables were built for other settings: {string.Join("; ", differences)}. " +
                        $"Use the settings the database was built with, or point Coinshard at a new database (or drop the {_t.Prefix}_* tables) to rebuild the index.");
                }
                if (settings.Mode == IndexMode.Utxo)
                {
                    wanted[KeyHistoryStart] = stored.GetValueOrDefault(KeyHistoryStart, wanted[KeyHistoryStart]);
                }
            }
            var upsert = tx.Command(
                $"INSERT INTO {_t.State} (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            foreach (var (key, value) in wanted)
            {
                if (!stored.TryGetValue(key, out var old) || old != value)
                {
                    Db.Set(upsert, "@key", key);
                    Db.Set(upsert, "@value", value);
                    await Db.ExecuteAsync(upsert, ct).ConfigureAwait(false);
                }
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            _settings = settings with { HistoryStartHeight = int.Parse(wanted[KeyHistoryStart], CultureInfo.InvariantCulture) };
            return 0;
        });
    }

    // ---------------------------------------------------------------- reads

    /// <summary>The last connected block, or null for an empty chain.</summary>
    public Task<ChainTip?> GetTipAsync(CancellationToken ct = default) =>
        ReadAsync(async c => await ReadTipAsync(Prepare(c, $"SELECT height, hash FROM {_t.Headers} ORDER BY height DESC LIMIT 1"), ct).ConfigureAwait(false), ct);

    /// <summary>The 80-byte header at <paramref name="height"/> on the active chain, or null.</summary>
    public Task<byte[]?> GetHeaderAsync(int height, CancellationToken ct = default) =>
        ReadAsync(async c =>
        {
            var command = Prepare(c, $"SELECT header FROM {_t.Headers} WHERE height = @height");
            Db.Set(command, "@height", height);
            return (byte[]?)await Db.ScalarAsync(command, ct).ConfigureAwait(false);
        }, ct);

    /// <summary>Up to <paramref name="count"/> consecutive headers from <paramref name="fromHeight"/> (fewer at the tip).</summary>
    public Task<IReadOnlyList<byte[]>> GetHeadersAsync(int fromHeight, int count, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return ReadAsync<IReadOnlyList<byte[]>>(async c =>
        {
            var command = Prepare(c, $"SELECT header FROM {_t.Headers} WHERE height >= @from AND height < @end ORDER BY height");
            Db.Set(command, "@from", fromHeight);
            Db.Set(command, "@end", (long)fromHeight + count);
            var headers = new List<byte[]>(Math.Min(count, 4096));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                headers.Add((byte[])reader.GetValue(0));
            }
            return headers;
        }, ct);
    }

    /// <summary>The hash of the active-chain block at <paramref name="height"/>, or null.</summary>
    public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken ct = default) =>
        ReadAsync(async c =>
        {
            var command = Prepare(c, $"SELECT hash FROM {_t.Headers} WHERE height = @height");
            Db.Set(command, "@height", height);
            return await Db.ScalarAsync(command, ct).ConfigureAwait(false) is byte[] hash ? new Hash256(hash) : (Hash256?)null;
        }, ct);

    /// <summary>The height of <paramref name="blockHash"/> when it is on the active chain, else null (finds fork points).</summary>
    public Task<int?> GetHeightAsync(Hash256 blockHash, CancellationToken ct = default) =>
        ReadAsync(async c =>
        {
            var command = Prepare(c, $"SELECT height FROM {_t.Headers} WHERE hash = @hash");
            Db.Set(command, "@hash", Db.Bytes(blockHash));
            var value = await Db.ScalarAsync(command, ct).ConfigureAwait(false);
            return value is null ? (int?)null : Convert.ToInt32(value, CultureInfo.InvariantCulture);
        }, ct);

    /// <summary>The coins among <paramref name="outPoints"/> that are unspent, in one batch (resolves a block's spends).</summary>
    public Task<IReadOnlyList<StoredCoin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outPoints);
        if (outPoints.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<StoredCoin>>([]);
        }
        IReadOnlyCollection<OutPoint> distinct = outPoints is ISet<OutPoint> ? outPoints : outPoints.ToHashSet();
        return ReadCoinViewAsync<IReadOnlyList<StoredCoin>>(async c => await _db.GetCoinsAsync(c, distinct, ct).ConfigureAwait(false), ct);
    }

    /// <summary>Unspent coins of a scripthash, ordered by height, tx_pos, txid, vout (Electrum listunspent order), at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<StoredCoin>> GetCoinsByScripthashAsync(Hash256 scripthash, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadCoinViewAsync<IReadOnlyList<StoredCoin>>(async c =>
        {
            // Almost every scripthash has fewer coins than the limit: read them unordered, stopping at the limit,
            // and sort here. That spares the engine a sort tree per request, and SQLite runs a bound LIMIT over the
            // coins view about 2x slower than none (measured: 26k vs 52k reads/s on one core). Only when the limit is
            // reached could the first `limit` rows differ from the ordered ones; then the engine sorts.
            var unordered = await ReadCoinsByScripthashAsync(c,
                $"SELECT {CoinRows.Columns} FROM {_t.Utxo} WHERE shp = @shp AND sh = @sh", scripthash, limit, bindLimit: false, ct).ConfigureAwait(false);
            if (unordered.Count < limit)
            {
                unordered.Sort(CompareListingOrder);
                return unordered;
            }
            return await ReadCoinsByScripthashAsync(c,
                $"SELECT {CoinRows.Columns} FROM {_t.Utxo} WHERE shp = @shp AND sh = @sh ORDER BY {CoinRows.ListingOrder} LIMIT @limit", scripthash, limit, bindLimit: true, ct).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>Runs <paramref name="sql"/> (with a <c>@limit</c> parameter when <paramref name="bindLimit"/>) and reads at most <paramref name="limit"/> coins.</summary>
    private static async Task<List<StoredCoin>> ReadCoinsByScripthashAsync(ReadSession c, string sql, Hash256 scripthash, int limit, bool bindLimit, CancellationToken ct)
    {
        var command = Prepare(c, sql);
        SetScripthash(command, scripthash);
        if (bindLimit)
        {
            Db.Set(command, "@limit", limit);
        }
        var coins = new List<StoredCoin>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (coins.Count < limit && await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            coins.Add(CoinRows.Read(reader));
        }
        return coins;
    }

    /// <summary><see cref="CoinRows.ListingOrder"/> in memory: height, tx_pos (unknown first), txid bytes, vout.</summary>
    private static int CompareListingOrder(StoredCoin x, StoredCoin y)
    {
        var c = x.Height.CompareTo(y.Height);
        if (c == 0)
        {
            c = x.TxPos.CompareTo(y.TxPos);
        }
        if (c == 0)
        {
            c = x.OutPoint.TxId.CompareTo(y.OutPoint.TxId);
        }
        return c != 0 ? c : x.OutPoint.Index.CompareTo(y.OutPoint.Index);
    }

    /// <summary>Confirmed balance of a scripthash in satoshis.</summary>
    public Task<long> GetBalanceAsync(Hash256 scripthash, CancellationToken ct = default) =>
        ReadCoinViewAsync(async c =>
        {
            var command = Prepare(c, $"SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM {_t.Utxo} WHERE shp = @shp AND sh = @sh");
            SetScripthash(command, scripthash);
            return Convert.ToInt64(await Db.ScalarAsync(command, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }, ct);

    /// <summary>Confirmed history of a scripthash in Electrum order (height, tx_pos), at most <paramref name="limit"/> rows. Full mode only.</summary>
    /// <exception cref="StoreModeException">The index is in utxo mode.</exception>
    public Task<IReadOnlyList<HistoryItem>> GetHistoryAsync(Hash256 scripthash, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (_settings is { Mode: not IndexMode.Full })
        {
            throw new StoreModeException($"the {_t.Prefix} index is in utxo mode and keeps no history; initialize it in full mode to serve history");
        }
        return ReadAsync<IReadOnlyList<HistoryItem>>(async c =>
        {
            var command = Prepare(c, $"SELECT height, tx_pos, txid FROM {_t.History} WHERE sh = @sh ORDER BY height, tx_pos LIMIT @limit");
            Db.Set(command, "@sh", ScripthashKeys.ToColumn(ScripthashKeys.Of(scripthash)));
            Db.Set(command, "@limit", limit);
            var items = new List<HistoryItem>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                items.Add(new HistoryItem(reader.GetInt32(0), reader.GetInt32(1), Db.Hash(reader, 2)));
            }
            return items;
        }, ct);
    }

    /// <summary>Height and position of a confirmed transaction (full mode), or null.</summary>
    public Task<TxPosition?> GetTxPositionAsync(Hash256 txid, CancellationToken ct = default) =>
        ReadAsync(async c =>
        {
            var command = Prepare(c, $"SELECT height, tx_pos FROM {_t.TxPos} WHERE txid = @txid");
            Db.Set(command, "@txid", Db.Bytes(txid));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? new TxPosition(reader.GetInt32(0), reader.GetInt32(1)) : (TxPosition?)null;
        }, ct);

    /// <summary>Count and total value of the UTXO set (a full scan: for the differential check against the node, not for every request).</summary>
    public Task<CoinStats> GetCoinStatsAsync(CancellationToken ct = default) =>
        ReadCoinViewAsync(async c =>
        {
            var command = Prepare(c, $"SELECT COUNT(*), CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM {_t.Utxo}");
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return new CoinStats(reader.GetInt64(0), reader.GetInt64(1));
        }, ct);

    /// <summary>The heights that have undo data (null when none): how deep a reorg can go without an operator.</summary>
    public Task<UndoWindow?> GetUndoWindowAsync(CancellationToken ct = default) =>
        ReadAsync(async c =>
        {
            var command = Prepare(c, $"SELECT MIN(height), MAX(height) FROM {_t.Undo}");
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return reader.IsDBNull(0) ? null : new UndoWindow(reader.GetInt32(0), reader.GetInt32(1));
        }, ct);

    /// <summary>Change-feed rows with seq greater than <paramref name="afterSeq"/>, oldest first, at most <paramref name="max"/>.</summary>
    public Task<ChangeFeedPage> GetChangesAsync(long afterSeq, int max, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return ReadAsync(async c =>
        {
            var bounds = Prepare(c, $"SELECT MIN(seq), MAX(seq) FROM {_t.Changes}");
            long oldest = 0, latest = 0;
            await using (var reader = await bounds.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                if (!reader.IsDBNull(0))
                {
                    oldest = reader.GetInt64(0);
                    latest = reader.GetInt64(1);
                }
            }
            var command = Prepare(c,
                $"SELECT seq, kind, height, hash, touched, time FROM {_t.Changes} WHERE seq > @after ORDER BY seq LIMIT @max");
            Db.Set(command, "@after", afterSeq);
            Db.Set(command, "@max", max);
            var changes = new List<ChainChange>();
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    changes.Add(new ChainChange(
                        reader.GetInt64(0),
                        reader.GetString(1) == "connect" ? ChangeKind.Connect : ChangeKind.Disconnect,
                        reader.GetInt32(2),
                        Db.Hash(reader, 3),
                        Db.UnpackKeys((byte[])reader.GetValue(4)),
                        reader.GetInt64(5)));
                }
            }
            // Rows after afterSeq were pruned when the oldest kept row is beyond afterSeq + 1 and the
            // reader had not already seen everything (seq values are never reused).
            var missed = latest > afterSeq && oldest > afterSeq + 1;
            return new ChangeFeedPage(changes, missed, latest);
        }, ct);
    }

    // ---------------------------------------------------------------- writes

    /// <summary>
    /// Connects one block in one transaction: checks the lease (fencing) and that the block's parent is
    /// the tip (any height is accepted on an empty chain), stores the header, deletes the spent coins
    /// (each must exist and match) while recording undo data, inserts the created coins, history and
    /// tx positions (full mode), prunes undo beyond the undo depth and the change feed beyond its
    /// retention, and appends a change-feed row. Any failure writes nothing.
    /// </summary>
    /// <returns>The change-feed row written.</returns>
    /// <exception cref="LeaseLostException">The lease is no longer held by this owner and token.</exception>
    /// <exception cref="ChainTipMismatchException">The block does not extend the stored tip.</exception>
    /// <exception cref="StoreConsistencyException">A spent coin is missing or differs, or a created coin exists.</exception>
    public async Task<ChainChange> ConnectBlockAsync(BlockDelta delta, LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var changes = await ConnectBlocksAsync([delta], lease, ct).ConfigureAwait(false);
        return changes[0];
    }

    /// <summary>
    /// Connects consecutive blocks in ONE transaction, each exactly as <see cref="ConnectBlockAsync"/>
    /// would (one header, undo row and change-feed row per block). All or none are applied, so a crash
    /// still leaves the store at a block boundary. Catching up in batches of a few dozen blocks writes
    /// each hot B-tree page once per batch instead of once per block: several times faster on SQLite.
    /// </summary>
    /// <returns>The change-feed rows written, one per block in order.</returns>
    public Task<IReadOnlyList<ChainChange>> ConnectBlocksAsync(IReadOnlyList<BlockDelta> deltas, LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        ArgumentNullException.ThrowIfNull(lease);
        if (deltas.Count == 0)
        {
            throw new ArgumentException("no blocks to connect", nameof(deltas));
        }
        var settings = RequireSettings();
        foreach (var delta in deltas)
        {
            ArgumentNullException.ThrowIfNull(delta, nameof(deltas));
            delta.Validate(settings.Mode);
        }
        return Guard<IReadOnlyList<ChainChange>>(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLeaseAsync(tx, lease, ct).ConfigureAwait(false);
            await RefuseWhileLoadingAsync(tx, "connect blocks", ct).ConfigureAwait(false);
            var tip = await ReadTipAsync(tx.Command($"SELECT height, hash FROM {_t.Headers} ORDER BY height DESC LIMIT 1"), ct).ConfigureAwait(false);
            var changes = new List<ChainChange>(deltas.Count);
            foreach (var delta in deltas)
            {
                changes.Add(await ConnectInTransactionAsync(tx, settings, tip, delta, ct).ConfigureAwait(false));
                tip = new ChainTip(delta.Height, delta.Hash);
            }
            await InjectAsync("connect:before-commit", tx).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return changes;
        });
    }

    private async Task<ChainChange> ConnectInTransactionAsync(
        WriteTransaction tx, ChainStoreSettings settings, ChainTip? tip, BlockDelta delta, CancellationToken ct)
    {
        // History starts at the configured height: earlier blocks only move coins.
        var full = settings.Mode == IndexMode.Full && delta.Height >= settings.HistoryStartHeight;
        if (tip is not null && (tip.Hash != delta.ParentHash || tip.Height + 1 != delta.Height))
        {
            throw new ChainTipMismatchException(
                $"block {delta.Height} {delta.Hash} has parent {delta.ParentHash}, but the stored tip is {tip.Height} {tip.Hash}", tip);
        }

        var header = tx.Command($"INSERT INTO {_t.Headers} (height, hash, header) VALUES (@height, @hash, @header)");
        Db.Set(header, "@height", delta.Height);
        Db.Set(header, "@hash", Db.Bytes(delta.Hash));
        Db.Set(header, "@header", delta.Header);
        await Db.ExecuteAsync(header, ct).ConfigureAwait(false);

        var spentOutPoints = new OutPoint[delta.Spent.Count];
        for (var i = 0; i < spentOutPoints.Length; i++)
        {
            spentOutPoints[i] = delta.Spent[i].OutPoint;
        }
        var deleted = await tx.DeleteCoinsAsync(spentOutPoints, ct).ConfigureAwait(false);
        var spent = CheckSpent(delta, deleted);

        await tx.InsertCoinsAsync(delta.Created, ct).ConfigureAwait(false);

        List<(ulong, int)> historyKeys = [];
        IReadOnlyList<Hash256> txids = [];
        if (full)
        {
            var rows = delta.History.Distinct().ToList();
            await tx.InsertHistoryAsync(delta.Height, rows, ct).ConfigureAwait(false);
            await tx.InsertTxPosAsync(delta.Height, delta.TxIds, ct).ConfigureAwait(false);
            historyKeys = rows.Select(r => (r.ScripthashKey, r.TxPos)).ToList();
            txids = delta.TxIds;
        }

        var created = new OutPoint[delta.Created.Count];
        for (var i = 0; i < created.Length; i++)
        {
            created[i] = delta.Created[i].OutPoint;
        }
        var undo = new UndoRecord(spent, created, historyKeys, txids);
        var insertUndo = tx.Command($"INSERT INTO {_t.Undo} (height, hash, data) VALUES (@height, @hash, @data)");
        Db.Set(insertUndo, "@height", delta.Height);
        Db.Set(insertUndo, "@hash", Db.Bytes(delta.Hash));
        Db.Set(insertUndo, "@data", undo.Serialize());
        await Db.ExecuteAsync(insertUndo, ct).ConfigureAwait(false);
        var prune = tx.Command($"DELETE FROM {_t.Undo} WHERE height <= @below");
        Db.Set(prune, "@below", (long)delta.Height - settings.UndoDepth);
        await Db.ExecuteAsync(prune, ct).ConfigureAwait(false);

        var touched = new HashSet<ulong>(delta.TouchedKeys);
        foreach (var coin in spent)
        {
            touched.Add(coin.ScripthashKey);
        }
        foreach (var coin in delta.Created)
        {
            touched.Add(coin.ScripthashKey);
        }
        foreach (var (key, _) in historyKeys)
        {
            touched.Add(key);
        }
        return await AppendChangeAsync(tx, ChangeKind.Connect, delta.Height, delta.Hash, touched, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Disconnects the tip in one transaction, from undo data only: deletes the coins it created,
    /// restores the coins it spent, deletes its history and tx positions, its undo row and header,
    /// and appends a change-feed row.
    /// </summary>
    /// <exception cref="LeaseLostException">The lease is no longer held by this owner and token.</exception>
    /// <exception cref="ChainTipMismatchException">The tip is not <paramref name="expectedTipHash"/>.</exception>
    /// <exception cref="UndoUnavailableException">The tip is older than the undo window.</exception>
    public Task<DisconnectResult> DisconnectTipAsync(Hash256 expectedTipHash, LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var settings = RequireSettings();
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLeaseAsync(tx, lease, ct).ConfigureAwait(false);
            await RefuseWhileLoadingAsync(tx, "disconnect a block", ct).ConfigureAwait(false);
            var tipCommand = tx.Command($"SELECT height, hash FROM {_t.Headers} ORDER BY height DESC LIMIT 1");
            var tip = await ReadTipAsync(tipCommand, ct).ConfigureAwait(false);
            if (tip is null || tip.Hash != expectedTipHash)
            {
                throw new ChainTipMismatchException(
                    $"cannot disconnect {expectedTipHash}: the stored tip is {(tip is null ? "empty" : $"{tip.Height} {tip.Hash}")}", tip);
            }
            var readUndo = tx.Command($"SELECT hash, data FROM {_t.Undo} WHERE height = @height");
            Db.Set(readUndo, "@height", tip.Height);
            UndoRecord? undo = null;
            await using (var reader = await readUndo.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(ct).ConfigureAwait(false) && Db.Hash(reader, 0) == tip.Hash)
                {
                    undo = UndoRecord.Parse((byte[])reader.GetValue(1), tip.Height);
                }
            }
            if (undo is null && await ReadLoadStatusAsync(tx, ct).ConfigureAwait(false) is { State: BulkLoadState.Complete } loaded
                && tip.Height <= loaded.Target.BaseHeight)
            {
                throw new UndoUnavailableException(
                    $"block {tip.Height} {tip.Hash} has no undo data: the index was loaded from a UTXO snapshot at height {loaded.Target.BaseHeight}, " +
                    "and blocks at or below the snapshot base cannot be disconnected. Rebuild the index (reset, then load an older snapshot or sync from genesis) to follow a reorg this deep.");
            }
            if (undo is null)
            {
                throw new UndoUnavailableException(
                    $"block {tip.Height} {tip.Hash} has no undo data: it is older than the undo window ({settings.UndoDepth} blocks). " +
                    "A reorg this deep cannot be followed automatically; rebuild the index from a snapshot or from genesis, or raise the undo depth for the future.");
            }

            var removed = await tx.DeleteCoinsAsync(undo.Created, ct).ConfigureAwait(false);
            if (removed.Count != undo.Created.Count)
            {
                var present = removed.Select(c => c.OutPoint).ToHashSet();
                var missing = undo.Created.First(o => !present.Contains(o));
                throw new StoreConsistencyException(
                    $"disconnecting block {tip.Height}: its output {missing} is not in the UTXO set", missing);
            }
            await tx.InsertCoinsAsync(undo.Spent, ct).ConfigureAwait(false);
            if (settings.Mode == IndexMode.Full)
            {
                await tx.DeleteHistoryAsync(tip.Height, undo.History, ct).ConfigureAwait(false);
                await tx.DeleteTxPosAsync(tip.Height, undo.TxIds, ct).ConfigureAwait(false);
            }
            var deleteUndo = tx.Command($"DELETE FROM {_t.Undo} WHERE height = @height");
            Db.Set(deleteUndo, "@height", tip.Height);
            await Db.ExecuteAsync(deleteUndo, ct).ConfigureAwait(false);
            var deleteHeader = tx.Command($"DELETE FROM {_t.Headers} WHERE height = @height");
            Db.Set(deleteHeader, "@height", tip.Height);
            await Db.ExecuteAsync(deleteHeader, ct).ConfigureAwait(false);
            var newTip = await ReadTipAsync(tipCommand, ct).ConfigureAwait(false);

            var touched = new HashSet<ulong>();
            foreach (var coin in removed)
            {
                touched.Add(coin.ScripthashKey);
            }
            foreach (var coin in undo.Spent)
            {
                touched.Add(coin.ScripthashKey);
            }
            foreach (var (key, _) in undo.History)
            {
                touched.Add(key);
            }
            var change = await AppendChangeAsync(tx, ChangeKind.Disconnect, tip.Height, tip.Hash, touched, ct).ConfigureAwait(false);

            await InjectAsync("disconnect:before-commit", tx).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return new DisconnectResult(change, newTip, undo.Spent, removed);
        });
    }

    /// <summary>
    /// Empties the currency's chain state in one transaction under the lease: headers, coins, undo,
    /// history and tx positions. The recorded settings stay. The change feed is cleared too, keeping one
    /// <see cref="ChangeKind.Disconnect"/> row for the old tip whose sequence number leaves a gap, so that
    /// every reader positioned before it gets <see cref="ChangeFeedPage.MissedChanges"/> and resynchronizes.
    /// This is the way out of a reorg deeper than the undo window: the follower then rebuilds from its start height.
    /// </summary>
    /// <returns>The tip before the reset (null when the chain was already empty).</returns>
    /// <exception cref="LeaseLostException">The lease is no longer held by this owner and token.</exception>
    public Task<ChainTip?> ResetAsync(LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        RequireSettings();
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLeaseAsync(tx, lease, ct).ConfigureAwait(false);
            var tip = await ReadTipAsync(tx.Command($"SELECT height, hash FROM {_t.Headers} ORDER BY height DESC LIMIT 1"), ct).ConfigureAwait(false);
            foreach (var table in new[] { _t.Headers, _t.Undo, _t.History, _t.TxPos })
            {
                await Db.ExecuteAsync(tx.Command(_db.EmptyTableSql(table)), ct).ConfigureAwait(false);
            }
            // Also discards a snapshot load in progress or interrupted, and the record of a completed one.
            await EmptyCoinTablesAsync(tx, ct).ConfigureAwait(false);
            await Db.ExecuteAsync(tx.Command($"DELETE FROM {_t.State} WHERE {LoadState.KeyFilter}"), ct).ConfigureAwait(false);
            await AppendResyncMarkerAsync(tx, ChangeKind.Disconnect, tip ?? new ChainTip(0, Hash256.Zero), ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return tip;
        });
    }

    // ---------------------------------------------------------------- leases

    /// <summary>Acquires the follower lease of this currency; see <see cref="TryAcquireLeaseAsync(string, string, TimeSpan, CancellationToken)"/>.</summary>
    public Task<LeaseToken?> TryAcquireLeaseAsync(string owner, TimeSpan ttl, CancellationToken ct = default) =>
        TryAcquireLeaseAsync(FollowerLeaseName, owner, ttl, ct);

    /// <summary>
    /// Takes lease <paramref name="name"/> for <paramref name="owner"/> when it is free, expired, or
    /// already this owner's; every success increments the fencing token. Returns null while another
    /// owner holds it. Expiry is judged by the database clock, which all nodes share.
    /// </summary>
    public Task<LeaseToken?> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var ttlMs = TtlMilliseconds(ttl);
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            var command = tx.Command(
                $"INSERT INTO {TableNames.Leases} (name, owner, token, expires_at) VALUES (@name, @owner, 1, {_db.Now} + @ttl) " +
                $"ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = {TableNames.Leases}.token + 1, expires_at = excluded.expires_at " +
                $"WHERE {TableNames.Leases}.expires_at <= {_db.Now} OR {TableNames.Leases}.owner = excluded.owner " +
                "RETURNING token, expires_at");
            Db.Set(command, "@name", name);
            Db.Set(command, "@owner", owner);
            Db.Set(command, "@ttl", ttlMs);
            _db.BindNow(command);
            LeaseToken? token = null;
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    token = new LeaseToken(name, owner, reader.GetInt64(0), reader.GetInt64(1));
                }
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return token;
        });
    }

    /// <summary>Extends a held lease by <paramref name="ttl"/> from now (same fencing token).</summary>
    /// <exception cref="LeaseLostException">The lease expired or another owner took it.</exception>
    public Task<LeaseToken> RenewLeaseAsync(LeaseToken lease, TimeSpan ttl, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var ttlMs = TtlMilliseconds(ttl);
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            var command = tx.Command(
                $"UPDATE {TableNames.Leases} SET expires_at = {_db.Now} + @ttl " +
                $"WHERE name = @name AND owner = @owner AND token = @token AND expires_at > {_db.Now} RETURNING expires_at");
            Db.Set(command, "@name", lease.Name);
            Db.Set(command, "@owner", lease.Owner);
            Db.Set(command, "@token", lease.Token);
            Db.Set(command, "@ttl", ttlMs);
            _db.BindNow(command);
            var expires = await Db.ScalarAsync(command, ct).ConfigureAwait(false)
                ?? throw new LeaseLostException(
                    $"lease '{lease.Name}' (token {lease.Token}) is no longer held by '{lease.Owner}': it expired or another owner took it over");
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return lease with { ExpiresAtUnixMs = Convert.ToInt64(expires, CultureInfo.InvariantCulture) };
        });
    }

    /// <summary>Gives a lease up so another owner can take it at once; does nothing if it was already lost. The token is kept, so the next one is larger.</summary>
    public Task ReleaseLeaseAsync(LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            var command = tx.Command(
                $"UPDATE {TableNames.Leases} SET expires_at = 0 WHERE name = @name AND owner = @owner AND token = @token");
            Db.Set(command, "@name", lease.Name);
            Db.Set(command, "@owner", lease.Owner);
            Db.Set(command, "@token", lease.Token);
            await Db.ExecuteAsync(command, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return 0;
        });
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _db.DisposeAsync();

    // ---------------------------------------------------------------- internals (tests, diagnostics)

    /// <summary>The undo record of <paramref name="height"/>, or null.</summary>
    internal Task<UndoRecord?> ReadUndoAsync(int height, CancellationToken ct = default) =>
        ReadAsync(async c =>
        {
            var command = Prepare(c, $"SELECT data FROM {_t.Undo} WHERE height = @height");
            Db.Set(command, "@height", height);
            return await Db.ScalarAsync(command, ct).ConfigureAwait(false) is byte[] data ? UndoRecord.Parse(data, height) : null;
        }, ct);

    /// <summary>Every row of the currency's chain-state tables as text, ordered by primary key (for exact before/after comparisons).</summary>
    internal Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> DumpAsync(CancellationToken ct = default) =>
        ReadUncheckedAsync<IReadOnlyDictionary<string, IReadOnlyList<string>>>(async c =>
        {
            var dump = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var (table, orderBy) in _t.DumpOrder)
            {
                var command = Prepare(c, $"SELECT * FROM {table} ORDER BY {orderBy}");
                var rows = new List<string>();
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var fields = new List<string>(reader.FieldCount);
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        var value = reader.GetValue(i);
                        var text = value is byte[] bytes ? Chain.Encoding.Hex.Encode(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture);
                        fields.Add($"{reader.GetName(i)}={text}");
                    }
                    fields.Sort(StringComparer.Ordinal);
                    rows.Add(string.Join(' ', fields));
                }
                dump[table] = rows;
            }
            return dump;
        }, ct);

    private ChainStoreSettings RequireSettings() =>
        _settings ?? throw new StoreNotInitializedException(
            $"the {_t.Prefix} tables have no recorded settings; call InitializeAsync before writing");

    private static long TtlMilliseconds(TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a lease needs a positive time to live");
        }
        return (long)Math.Ceiling(ttl.TotalMilliseconds);
    }

    private async Task InjectAsync(string point, WriteTransaction tx)
    {
        if (FaultInjection is { } hook)
        {
            await hook(point, tx.Connection).ConfigureAwait(false);
        }
    }

    private async Task VerifyLeaseAsync(WriteTransaction tx, LeaseToken lease, CancellationToken ct)
    {
        var command = tx.Command(
            $"SELECT token FROM {TableNames.Leases} WHERE name = @name AND owner = @owner AND token = @token AND expires_at > {_db.Now}{_db.LockRowSuffix}");
        Db.Set(command, "@name", lease.Name);
        Db.Set(command, "@owner", lease.Owner);
        Db.Set(command, "@token", lease.Token);
        _db.BindNow(command);
        if (await Db.ScalarAsync(command, ct).ConfigureAwait(false) is null)
        {
            throw new LeaseLostException(
                $"lease '{lease.Name}' (token {lease.Token}) is no longer held by '{lease.Owner}': it expired or another owner took it over; nothing was written");
        }
    }

    private static List<StoredCoin> CheckSpent(BlockDelta delta, List<StoredCoin> deleted)
    {
        var stored = new Dictionary<OutPoint, StoredCoin>(deleted.Count);
        foreach (var coin in deleted)
        {
            stored[coin.OutPoint] = coin;
        }
        var spent = new List<StoredCoin>(delta.Spent.Count);
        foreach (var expected in delta.Spent)
        {
            if (!stored.TryGetValue(expected.OutPoint, out var actual))
            {
                throw new StoreConsistencyException(
                    $"block {delta.Height} {delta.Hash} spends {expected.OutPoint}, which is not in the UTXO set; nothing was written",
                    expected.OutPoint);
            }
            if (actual != expected)
            {
                throw new StoreConsistencyException(
                    $"block {delta.Height} {delta.Hash} spends {expected.OutPoint} as {Describe(expected)}, but the stored coin is {Describe(actual)}; nothing was written",
                    expected.OutPoint);
            }
            spent.Add(actual);
        }
        return spent;
    }

    private static string Describe(StoredCoin coin) =>
        $"(key {coin.ScripthashKey:x16}, {coin.Value} sat, height {coin.Height}, coinbase {coin.IsCoinbase}, tx_pos {coin.TxPos})";

    private async Task<ChainChange> AppendChangeAsync(
        WriteTransaction tx, ChangeKind kind, int height, Hash256 hash, HashSet<ulong> touched, CancellationToken ct)
    {
        var keys = touched.ToList();
        keys.Sort();
        var insert = tx.Command(
            $"INSERT INTO {_t.Changes} (height, hash, kind, touched, time) VALUES (@height, @hash, @kind, @touched, {_db.Now}) RETURNING seq, time");
        Db.Set(insert, "@height", height);
        Db.Set(insert, "@hash", Db.Bytes(hash));
        Db.Set(insert, "@kind", kind == ChangeKind.Connect ? "connect" : "disconnect");
        Db.Set(insert, "@touched", Db.PackKeys(keys));
        _db.BindNow(insert);
        long seq, time;
        await using (var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            seq = reader.GetInt64(0);
            time = reader.GetInt64(1);
        }
        var prune = tx.Command($"DELETE FROM {_t.Changes} WHERE seq <= @below");
        Db.Set(prune, "@below", seq - _db.Options.ChangeFeedRetention);
        await Db.ExecuteAsync(prune, ct).ConfigureAwait(false);
        return new ChainChange(seq, kind, height, hash, keys, time);
    }

    /// <summary>
    /// Replaces the change feed by one row for <paramref name="marker"/> whose sequence number leaves a
    /// gap, so every reader positioned before it gets <see cref="ChangeFeedPage.MissedChanges"/> and resynchronizes.
    /// </summary>
    private async Task AppendResyncMarkerAsync(WriteTransaction tx, ChangeKind kind, ChainTip marker, CancellationToken ct)
    {
        await AppendChangeAsync(tx, kind, marker.Height, marker.Hash, [], ct).ConfigureAwait(false);
        var last = await AppendChangeAsync(tx, kind, marker.Height, marker.Hash, [], ct).ConfigureAwait(false);
        var prune = tx.Command($"DELETE FROM {_t.Changes} WHERE seq < @last");
        Db.Set(prune, "@last", last.Seq);
        await Db.ExecuteAsync(prune, ct).ConfigureAwait(false);
    }

    private async Task RefuseWhileLoadingAsync(WriteTransaction tx, string what, CancellationToken ct)
    {
        if (await ReadLoadStatusAsync(tx, ct).ConfigureAwait(false) is { State: BulkLoadState.Loading } status)
        {
            throw new StoreLoadingException($"cannot {what} on {_t.Prefix}: {LoadState.Describe(status)}; nothing was written");
        }
    }

    private async Task MigrateAsync(CancellationToken ct)
    {
        await using var tx = await _db.BeginWriteAsync(true, ct).ConfigureAwait(false);
        await Db.ExecuteAsync(
            tx.Command($"CREATE TABLE IF NOT EXISTS {TableNames.Schema} (component TEXT PRIMARY KEY, version INT NOT NULL)"), ct).ConfigureAwait(false);
        await ApplyMigrationsAsync(tx, TableNames.GlobalComponent, _db.GlobalMigrations, ct).ConfigureAwait(false);
        await ApplyMigrationsAsync(tx, _t.Prefix, _db.CurrencyMigrations, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private async Task ApplyMigrationsAsync(WriteTransaction tx, string component, IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        var read = tx.Command($"SELECT version FROM {TableNames.Schema} WHERE component = @component");
        Db.Set(read, "@component", component);
        var value = await Db.ScalarAsync(read, ct).ConfigureAwait(false);
        var current = value is null ? 0 : Convert.ToInt32(value, CultureInfo.InvariantCulture);
        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > known)
        {
            throw new SchemaTooNewException(component, current, known);
        }
        foreach (var migration in migrations.Where(m => m.Version > current))
        {
            await Db.ExecuteAsync(tx.Command(_t.Expand(migration.Sql)), ct).ConfigureAwait(false);
            var write = tx.Command(
                $"INSERT INTO {TableNames.Schema} (component, version) VALUES (@component, @version) " +
                "ON CONFLICT (component) DO UPDATE SET version = excluded.version");
            Db.Set(write, "@component", component);
            Db.Set(write, "@version", migration.Version);
            await Db.ExecuteAsync(write, ct).ConfigureAwait(false);
        }
    }

    private async Task<ChainStoreSettings?> ReadSettingsAsync(CancellationToken ct)
    {
        var state = await ReadUncheckedAsync(async c => await ReadStateAsync(Prepare(c, $"SELECT key, value FROM {_t.State}"), ct).ConfigureAwait(false), ct)
            .ConfigureAwait(false);
        if (!state.TryGetValue(KeyNetwork, out var networkName))
        {
            return null;
        }
        if (!Network.TryParse(networkName, out var network))
        {
            throw new StoreSettingsMismatchException(
                $"the {_t.Prefix} tables were built for network '{networkName}', which this Coinshard does not know");
        }
        return new ChainStoreSettings(
            network,
            state.GetValueOrDefault(KeyMode) == "full" ? IndexMode.Full : IndexMode.Utxo,
            int.Parse(state.GetValueOrDefault(KeyHistoryStart, "0"), CultureInfo.InvariantCulture),
            int.Parse(state.GetValueOrDefault(KeyShardCount, "1"), CultureInfo.InvariantCulture),
            int.Parse(state.GetValueOrDefault(KeyUndoDepth, "100"), CultureInfo.InvariantCulture));
    }

    private static async Task<Dictionary<string, string>> ReadStateAsync(DbCommand command, CancellationToken ct)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            state[reader.GetString(0)] = reader.GetString(1);
        }
        return state;
    }

    private static async Task<ChainTip?> ReadTipAsync(DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? new ChainTip(reader.GetInt32(0), Db.Hash(reader, 1)) : null;
    }

    private static void SetScripthash(DbCommand command, Hash256 scripthash)
    {
        var key = ScripthashKeys.Of(scripthash);
        Db.Set(command, "@shp", CoinRows.ShPrefix(key));
        Db.Set(command, "@sh", ScripthashKeys.ToColumn(key));
    }

    private static DbCommand Prepare(ReadSession session, string sql) => session.Command(sql);

    /// <summary>A read that is refused while a snapshot load is in progress or interrupted.</summary>
    private Task<T> ReadAsync<T>(Func<ReadSession, Task<T>> read, CancellationToken ct) =>
        Guard(async () =>
        {
            await using var session = await _db.OpenReaderAsync(ct).ConfigureAwait(false);
            try
            {
                await EnsureServableAsync(session, ct).ConfigureAwait(false);
                return await read(session).ConfigureAwait(false);
            }
            catch
            {
                session.Discard();
                throw;
            }
        });

    /// <summary>
    /// A read of the coin view, which does not exist while a load runs: such a read fails, and is then
    /// reported as refused. No check is needed (or paid for) when the view is there.
    /// </summary>
    private Task<T> ReadCoinViewAsync<T>(Func<ReadSession, Task<T>> read, CancellationToken ct) =>
        Guard(async () =>
        {
            await using var session = await _db.OpenReaderAsync(ct).ConfigureAwait(false);
            try
            {
                return await read(session).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                session.Discard();
                throw;
            }
            catch (Exception e)
            {
                session.Discard();
                StoreLoadingException? refusal = null;
                try
                {
                    await using var check = await _db.OpenReaderAsync(ct).ConfigureAwait(false);
                    if (await Db.ScalarAsync(Prepare(check, $"SELECT value FROM {_t.State} WHERE key = '{LoadState.State}'"), ct).ConfigureAwait(false) is LoadState.Loading)
                    {
                        refusal = await LoadingRefusalAsync(check, e, ct).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // The original error is the one to report when the check fails too.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
                if (refusal is not null)
                {
                    throw refusal;
                }
                throw;
            }
        });

    /// <summary>A read that is never refused (settings, load status).</summary>
    private Task<T> ReadUncheckedAsync<T>(Func<ReadSession, Task<T>> read, CancellationToken ct) =>
        Guard(async () =>
        {
            await using var session = await _db.OpenReaderAsync(ct).ConfigureAwait(false);
            try
            {
                return await read(session).ConfigureAwait(false);
            }
            catch
            {
                session.Discard();
                throw;
            }
        });

    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not StoreException && _db.Translate(e) is { } translated)
        {
            throw translated;
        }
    }
}
