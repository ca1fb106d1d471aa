using System.Data.Common;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;
using Coinshard.Storage.Loading;

using Microsoft.Data.Sqlite;

using SQLitePCL;

namespace Coinshard.Storage.Sqlite;

/// <summary>
/// SQLite: one long-lived writer connection whose commands are prepared once and reused (one
/// statement execution per row costs microseconds in-process, so batching is a question of
/// transactions, not round trips), and pooled reader connections that WAL lets read while the
/// writer writes.
/// </summary>
/// <remarks>
/// Durability: WAL with synchronous=NORMAL. A committed transaction is in the WAL file before
/// COMMIT returns, so killing the process (kill -9) never loses it; a power loss or OS crash may
/// lose the last few commits (never corrupt the database, never half a block), which the follower
/// re-fetches from the node. Use synchronous=FULL through the connection string's pragma if that
/// matters more than write speed.
/// </remarks>
internal sealed class SqliteBackend : StoreBackend
{
    private const int LoadRowsPerStatement = 64;

    /// <summary>cache_size values (negative: KiB) of the writer and of a snapshot load's index build.</summary>
    private const int WriterCacheKiB = -65536;
    private const int IndexBuildCacheKiB = -1024;

    private readonly string _connectionString;
    private readonly string _path;
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly SqliteReaderPool _readers = new();
    private SqliteConnection? _writer;
    private SqliteCheckpointer? _checkpointer;

    public SqliteBackend(StoreOptions options, TableNames tables)
        : base(options, tables)
    {
        var builder = options.ConnectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(options.ConnectionString)
            : new SqliteConnectionStringBuilder { DataSource = options.ConnectionString };
        builder.Pooling = true;
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        _connectionString = builder.ConnectionString;
        _path = builder.DataSource;
    }

    public override IReadOnlyList<Migration> GlobalMigrations => SqliteMigrations.Global;

    public override IReadOnlyList<Migration> CurrencyMigrations => SqliteMigrations.Currency;

    protected override string DatabaseNowSql => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    public override string LockRowSuffix => string.Empty;

    public override async Task OpenAsync(CancellationToken ct)
    {
        if (_path.Length > 0 && _path != ":memory:" && !_path.StartsWith("file:", StringComparison.Ordinal))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(_path));
            if (directory is not null && !Directory.Exists(directory))
            {
                throw new StoreUnavailableException(
                    $"cannot create the SQLite database '{_path}': directory '{directory}' does not exist; create it or choose another path");
            }
        }
        var writer = new SqliteConnection(_connectionString);
        try
        {
            await writer.OpenAsync(ct).ConfigureAwait(false);
            using var pragmas = writer.CreateCommand();
            pragmas.CommandText =
                $"PRAGMA busy_timeout = {(long)Options.BusyTimeout.TotalMilliseconds}; " +
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; " +
                $"PRAGMA cache_size = {WriterCacheKiB}; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 65536;";
            await pragmas.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            // The v2 migration computes coin ids from v1 rows in SQL.
            writer.CreateFunction(
                SqliteMigrations.CoinIdFunction,
                (byte[] txid, long vout) => CoinRows.Id(new Hash256(txid), checked((uint)vout)),
                isDeterministic: true);
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _writer = writer;
        _checkpointer = await SqliteCheckpointer.StartAsync(_connectionString, ct).ConfigureAwait(false);
    }

    public override async Task<WriteTransaction> BeginWriteAsync(bool migration, CancellationToken ct)
    {
        var writer = _writer ?? throw new ObjectDisposedException(nameof(SqliteBackend));
        await _writerGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Serializable = BEGIN IMMEDIATE: takes the database's write lock now (waiting up to the
            // busy timeout), so concurrent processes (and migrations) are serialized.
            var transaction = writer.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            return new SqliteWriteTransaction(this, writer, transaction);
        }
        catch
        {
            _writerGate.Release();
            throw;
        }
    }

    public override async Task<ReadSession> OpenReaderAsync(CancellationToken ct)
    {
        if (_readers.TryTake(out var pooled))
        {
            return pooled;
        }
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            if (Options.SqliteMemoryMapBytes > 0)
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = $"PRAGMA mmap_size = {Options.SqliteMemoryMapBytes}";
                await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return new SqliteReadSession(connection, _readers);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<List<StoredCoin>> GetCoinsAsync(ReadSession session, IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct)
    {
        var found = new List<StoredCoin>(outPoints.Count);
        var command = session.Command($"SELECT {CoinRows.Columns} FROM {Tables.Utxo} WHERE id = @id AND txrest = @txrest AND vout = @vout");
        var rest = new byte[CoinRows.RestBytes];
        foreach (var outPoint in outPoints)
        {
            Db.Set(command, "@id", CoinRows.Id(outPoint.TxId, outPoint.Index));
            CoinRows.WriteRest(outPoint.TxId, rest);
            Db.Set(command, "@txrest", rest);
            Db.Set(command, "@vout", (long)outPoint.Index);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                found.Add(CoinRows.Read(reader));
            }
        }
        return found;
    }

    public override string DropCoinIndexesSql =>
        "DROP VIEW IF EXISTS {p}_utxo; DROP INDEX IF EXISTS {p}_coins_sh; DROP INDEX IF EXISTS {p}_coins_x_sh;";

    public override string CreateCoinIndexesSql => SqliteMigrations.CoinIndexes + SqliteMigrations.CoinsView;

    public override string EmptyTableSql(string table) => $"DELETE FROM {table}";

    public override Task WriteLoadedCoinsAsync(WriteTransaction tx, EncodedCoins rows, CancellationToken ct)
    {
        // The raw API: prepared statements of 64 rows (fewer steps per row) and of one row for the rest,
        // five binds per row, no ADO.NET parameter boxing. Rows arrive in id order, so each lands at the
        // end of the table and pages fill completely.
        var db = ((SqliteConnection)tx.Connection).Handle!;
        var i = 0;
        foreach (var rowsPerStatement in new[] { LoadRowsPerStatement, 1 })
        {
            if (rows.Count - i < rowsPerStatement)
            {
                continue;
            }
            var values = string.Join(", ", Enumerable.Range(0, rowsPerStatement).Select(r => $"(?{(r * 5) + 1}, ?{(r * 5) + 2}, ?{(r * 5) + 3}, ?{(r * 5) + 4}, ?{(r * 5) + 5})"));
            Check(raw.sqlite3_prepare_v2(db, $"INSERT INTO {Tables.Coins} (id, txrest, sh, value, meta) VALUES {values}", out var statement), db);
            using (statement)
            {
                var handle = statement.DangerousGetHandle();
                for (; rows.Count - i >= rowsPerStatement; i += rowsPerStatement)
                {
                    for (var r = 0; r < rowsPerStatement; r++)
                    {
                        var row = i + r;
                        var first = (r * 5) + 1;
                        var bound = NativeMethods.BindInt64(handle, first, rows.Ids[row])
                            | NativeMethods.BindBlob(handle, first + 1, rows.RestAddress(row), CoinRows.RestBytes, NativeMethods.Static)
                            | NativeMethods.BindInt64(handle, first + 2, rows.Shs[row])
                            | NativeMethods.BindInt64(handle, first + 3, rows.Values[row])
                            | NativeMethods.BindInt64(handle, first + 4, rows.Metas[row]);
                        if (bound != raw.SQLITE_OK)
                        {
                            // SQLITE_OK is 0: any failure shows in the OR; rebind through the checked API for its error.
                            Check(raw.sqlite3_bind_int64(statement, first, rows.Ids[row]), db);
                            Check(raw.sqlite3_bind_blob(statement, first + 1, rows.Rest(row)), db);
                            Check(raw.sqlite3_bind_int64(statement, first + 2, rows.Shs[row]), db);
                            Check(raw.sqlite3_bind_int64(statement, first + 3, rows.Values[row]), db);
                            Check(raw.sqlite3_bind_int64(statement, first + 4, rows.Metas[row]), db);
                        }
                    }
                    var rc = raw.sqlite3_step(statement);
                    if (rc != raw.SQLITE_DONE)
                    {
                        Check(rc, db);
                    }
                    raw.sqlite3_reset(statement);
                }
            }
        }
        return Task.CompletedTask;
    }

    public override async Task<IAsyncDisposable> BeginIndexBuildAsync(CancellationToken ct)
    {
        // The writer keeps temporary data in memory; an index build must sort in files (bounded memory), on two threads.
        // The sorter sizes its in-memory runs from cache_size: with the writer's 64 MiB cache each run is a long
        // linked list merge-sorted far outside the CPU caches; 1 MiB runs sort in cache and merge from the files,
        // which halves the build (10.7 s to 4-5 s for 10 M coins) and its memory (415 to 222 MiB peak RSS). Mapping the
        // file for the build's table scan saved 12-20% of its time but counts every mapped page in the resident set
        // (800 MiB peak for 10 M coins, up to SQLite's 2 GiB cap on mainnet): the writer does not map.
        await RunPragmasAsync($"PRAGMA temp_store = FILE; PRAGMA threads = 2; PRAGMA cache_size = {IndexBuildCacheKiB};", ct).ConfigureAwait(false);
        return new IndexBuild(this);
    }

    private static void Check(int rc, SQLitePCL.sqlite3 db)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    private async Task RunPragmasAsync(string sql, CancellationToken ct)
    {
        var writer = _writer ?? throw new ObjectDisposedException(nameof(SqliteBackend));
        await _writerGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var command = writer.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private sealed class IndexBuild(SqliteBackend owner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Back to the writer's settings; then shrink the WAL the build grew (best effort: readers may hold it).
            await owner.RunPragmasAsync($"PRAGMA temp_store = MEMORY; PRAGMA threads = 0; PRAGMA cache_size = {WriterCacheKiB}; PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override StoreException? Translate(Exception exception)
    {
        if (exception is not SqliteException e)
        {
            return null;
        }
        var where = $"the SQLite database '{_path}'";
        return (e.SqliteErrorCode & 0xFF) switch
        {
            5 or 6 => new StoreBusyException(
                $"{where} stayed locked by another connection or process for longer than the busy timeout ({Options.BusyTimeout.TotalMilliseconds:0} ms); " +
                "is another Coinshard writing to the same file?", e),
            8 => new StoreUnavailableException($"{where} is read-only: make the file and its directory writable", e),
            14 => new StoreUnavailableException($"cannot open {where}: check that the path exists and is writable", e),
            3 or 23 => new StoreAccessDeniedException($"access to {where} was denied", e),
            13 => new StoreUnavailableException($"{where} cannot grow: the disk is full", e),
            10 => new StoreUnavailableException($"an I/O error occurred on {where}: {e.Message}", e),
            11 or 26 => new StoreUnavailableException($"{where} is not an SQLite database or is corrupt", e),
            19 => new StoreConsistencyException($"a uniqueness or integrity constraint failed in {where}: {e.Message}", inner: e),
            _ => new StoreException($"SQLite error on {where}: {e.Message}", e),
        };
    }

    public override async ValueTask DisposeAsync()
    {
        if (_checkpointer is not null)
        {
            await _checkpointer.DisposeAsync().ConfigureAwait(false);
            _checkpointer = null;
        }
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }
        _commands.Clear();
        await _readers.DisposeAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        _writerGate.Dispose();
    }

    private SqliteCommand CachedCommand(SqliteConnection writer, SqliteTransaction transaction, string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = writer.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Transaction = transaction;
        return command;
    }

    private sealed class SqliteWriteTransaction(SqliteBackend owner, SqliteConnection writer, SqliteTransaction transaction)
        : WriteTransaction(writer, transaction)
    {
        private readonly byte[] _txid = new byte[Hash256.Size];
        private readonly byte[] _rest = new byte[CoinRows.RestBytes];
        private readonly TableNames _t = owner.Tables;

        public override DbCommand Command(string sql) => owner.CachedCommand(writer, transaction, sql);

        public override async Task<List<StoredCoin>> DeleteCoinsAsync(IReadOnlyList<OutPoint> outPoints, CancellationToken ct)
        {
            var deleted = new List<StoredCoin>(outPoints.Count);
            var slot = Command($"DELETE FROM {_t.Coins} WHERE id = @id AND txrest = @txrest RETURNING id, txrest, id & 65535, sh, value, meta");
            foreach (var outPoint in outPoints)
            {
                var id = CoinRows.Id(outPoint.TxId, outPoint.Index);
                CoinRows.WriteRest(outPoint.TxId, _rest);
                var coin = CoinRows.FitsSlot(outPoint.Index) ? await DeleteOneAsync(slot, id, null, ct).ConfigureAwait(false) : null;
                if (coin is null)
                {
                    var overflow = Command(
                        $"DELETE FROM {_t.CoinsOverflow} WHERE id = @id AND txrest = @txrest AND vout = @vout RETURNING {CoinRows.Columns}");
                    coin = await DeleteOneAsync(overflow, id, outPoint.Index, ct).ConfigureAwait(false);
                }
                if (coin is { } found)
                {
                    deleted.Add(found);
                }
            }
            return deleted;
        }

        private async Task<StoredCoin?> DeleteOneAsync(DbCommand command, long id, uint? vout, CancellationToken ct)
        {
            Db.Set(command, "@id", id);
            Db.Set(command, "@txrest", _rest);
            if (vout is { } v)
            {
                Db.Set(command, "@vout", (long)v);
            }
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? CoinRows.Read(reader) : null;
        }

        public override async Task InsertCoinsAsync(IReadOnlyList<StoredCoin> coins, CancellationToken ct)
        {
            // The slot when it is free and no overflow row shares the id (then the outpoint cannot exist yet).
            var command = Command(
                $"INSERT INTO {_t.Coins} (id, txrest, sh, value, meta) SELECT @id, @txrest, @sh, @value, @meta " +
                $"WHERE NOT EXISTS (SELECT 1 FROM {_t.CoinsOverflow} WHERE id = @id) ON CONFLICT (id) DO NOTHING");
            foreach (var coin in coins)
            {
                if (CoinRows.FitsSlot(coin.OutPoint.Index))
                {
                    CoinRows.WriteRest(coin.OutPoint.TxId, _rest);
                    Db.Set(command, "@id", CoinRows.Id(coin.OutPoint.TxId, coin.OutPoint.Index));
                    Db.Set(command, "@txrest", _rest);
                    Db.Set(command, "@sh", ScripthashKeys.ToColumn(coin.ScripthashKey));
                    Db.Set(command, "@value", coin.Value);
                    Db.Set(command, "@meta", CoinRows.Meta(coin));
                    if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
                    {
                        continue;
                    }
                }
                await PlaceCollidingCoinAsync(_t, coin, ct).ConfigureAwait(false);
            }
        }

        public override async Task InsertHistoryAsync(int height, IReadOnlyList<BlockHistoryEntry> rows, CancellationToken ct)
        {
            var command = Command($"INSERT INTO {_t.History} (sh, height, tx_pos, txid) VALUES (@sh, @height, @tx_pos, @txid)");
            Db.Set(command, "@height", height);
            foreach (var row in rows)
            {
                row.TxId.CopyTo(_txid);
                Db.Set(command, "@sh", ScripthashKeys.ToColumn(row.ScripthashKey));
                Db.Set(command, "@tx_pos", row.TxPos);
                Db.Set(command, "@txid", _txid);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        public override async Task InsertTxPosAsync(int height, IReadOnlyList<Hash256> txids, CancellationToken ct)
        {
            var command = Command($"INSERT INTO {_t.TxPos} (txid, height, tx_pos) VALUES (@txid, @height, @tx_pos) ON CONFLICT (txid) DO NOTHING");
            Db.Set(command, "@height", height);
            for (var i = 0; i < txids.Count; i++)
            {
                txids[i].CopyTo(_txid);
                Db.Set(command, "@txid", _txid);
                Db.Set(command, "@tx_pos", i);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        public override async Task DeleteHistoryAsync(int height, IReadOnlyList<(ulong Key, int TxPos)> rows, CancellationToken ct)
        {
            var command = Command($"DELETE FROM {_t.History} WHERE sh = @sh AND height = @height AND tx_pos = @tx_pos");
            Db.Set(command, "@height", height);
            foreach (var (key, txPos) in rows)
            {
                Db.Set(command, "@sh", ScripthashKeys.ToColumn(key));
                Db.Set(command, "@tx_pos", txPos);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        public override async Task DeleteTxPosAsync(int height, IReadOnlyList<Hash256> txids, CancellationToken ct)
        {
            var command = Command($"DELETE FROM {_t.TxPos} WHERE txid = @txid AND height = @height");
            Db.Set(command, "@height", height);
            foreach (var txid in txids)
            {
                txid.CopyTo(_txid);
                Db.Set(command, "@txid", _txid);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        protected override void OnCommitted() => owner._checkpointer?.Signal();

        protected override ValueTask ReleaseAsync()
        {
            owner._writerGate.Release();
            return ValueTask.CompletedTask;
        }
    }
}
