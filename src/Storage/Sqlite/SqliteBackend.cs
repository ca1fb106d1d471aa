using System.Data.Common;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;

using Microsoft.Data.Sqlite;

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
    private readonly string _connectionString;
    private readonly string _path;
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
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
                "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 65536;";
            await pragmas.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
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

    public override async Task<DbConnection> OpenReaderAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<List<StoredCoin>> GetCoinsAsync(DbConnection connection, IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct)
    {
        var found = new List<StoredCoin>(outPoints.Count);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Db.CoinColumns} FROM {Tables.Coins} WHERE txid = @txid AND vout = @vout";
        var txid = new SqliteParameter("@txid", SqliteType.Blob);
        var vout = new SqliteParameter("@vout", SqliteType.Integer);
        command.Parameters.Add(txid);
        command.Parameters.Add(vout);
        command.Prepare();
        var buffer = new byte[Hash256.Size];
        foreach (var outPoint in outPoints)
        {
            outPoint.TxId.CopyTo(buffer);
            txid.Value = buffer;
            vout.Value = (long)outPoint.Index;
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                found.Add(Db.ReadCoin(reader));
            }
        }
        return found;
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
        private readonly TableNames _t = owner.Tables;

        public override DbCommand Command(string sql) => owner.CachedCommand(writer, transaction, sql);

        public override async Task<List<StoredCoin>> DeleteCoinsAsync(IReadOnlyList<OutPoint> outPoints, CancellationToken ct)
        {
            var deleted = new List<StoredCoin>(outPoints.Count);
            var command = Command($"DELETE FROM {_t.Coins} WHERE txid = @txid AND vout = @vout RETURNING {Db.CoinColumns}");
            foreach (var outPoint in outPoints)
            {
                outPoint.TxId.CopyTo(_txid);
                Db.Set(command, "@txid", _txid);
                Db.Set(command, "@vout", (long)outPoint.Index);
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    deleted.Add(Db.ReadCoin(reader));
                }
            }
            return deleted;
        }

        public override async Task InsertCoinsAsync(IReadOnlyList<StoredCoin> coins, CancellationToken ct)
        {
            var command = Command(
                $"INSERT INTO {_t.Coins} ({Db.CoinColumns}) VALUES (@txid, @vout, @sh, @value, @height, @coinbase, @tx_pos)");
            foreach (var coin in coins)
            {
                coin.OutPoint.TxId.CopyTo(_txid);
                Db.Set(command, "@txid", _txid);
                Db.Set(command, "@vout", (long)coin.OutPoint.Index);
                Db.Set(command, "@sh", ScripthashKeys.ToColumn(coin.ScripthashKey));
                Db.Set(command, "@value", coin.Value);
                Db.Set(command, "@height", coin.Height);
                Db.Set(command, "@coinbase", coin.IsCoinbase ? 1 : 0);
                Db.Set(command, "@tx_pos", coin.TxPos);
                try
                {
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (SqliteException e) when ((e.SqliteErrorCode & 0xFF) == 19)
                {
                    throw new StoreConsistencyException($"coin {coin.OutPoint} already exists in the UTXO set", coin.OutPoint, e);
                }
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
