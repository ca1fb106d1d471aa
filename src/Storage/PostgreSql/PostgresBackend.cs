using System.Data.Common;
using System.Net.Sockets;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;

using Npgsql;

using NpgsqlTypes;

namespace Coinshard.Storage.PostgreSql;

/// <summary>
/// PostgreSQL: every batch is one statement over arrays (<c>unnest</c>), so a block costs a fixed
/// handful of round trips whatever its size; statements are auto-prepared by Npgsql. Writes run on a
/// pooled connection per transaction, so a connection that broke is discarded, never reused.
/// </summary>
internal sealed class PostgresBackend : StoreBackend
{
    // Any constant works; it only has to be the same for every Coinshard process.
    private const long MigrationLockKey = 0x436F696E73686172; // "Coinshar"

    private readonly NpgsqlDataSource _source;
    private readonly string _where;
    private readonly SemaphoreSlim _writerGate = new(1, 1);

    public PostgresBackend(StoreOptions options, TableNames tables)
        : base(options, tables)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            // The message of a parse error may quote the string, password included: do not pass it on.
            throw new ArgumentException("the PostgreSQL connection string is not valid (keyword or value not recognized)", nameof(options), e.InnerException);
        }
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }
        builder.ApplicationName ??= "coinshard";
        var lockTimeout = $"-c lock_timeout={(long)options.BusyTimeout.TotalMilliseconds}";
        builder.Options = string.IsNullOrEmpty(builder.Options) ? lockTimeout : $"{builder.Options} {lockTimeout}";
        _where = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username} as user '{builder.Username}'";
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override IReadOnlyList<Migration> GlobalMigrations => PostgresMigrations.Global;

    public override IReadOnlyList<Migration> CurrencyMigrations => PostgresMigrations.Currency;

    protected override string DatabaseNowSql => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

    public override string LockRowSuffix => " FOR UPDATE";

    public override async Task OpenAsync(CancellationToken ct)
    {
        await using var connection = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
    }

    public override async Task<WriteTransaction> BeginWriteAsync(bool migration, CancellationToken ct)
    {
        await _writerGate.WaitAsync(ct).ConfigureAwait(false);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            if (migration)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
                command.Parameters.AddWithValue("key", MigrationLockKey);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return new PostgresWriteTransaction(this, connection, transaction);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            _writerGate.Release();
            throw;
        }
    }

    public override async Task<DbConnection> OpenReaderAsync(CancellationToken ct) =>
        await _source.OpenConnectionAsync(ct).ConfigureAwait(false);

    public override async Task<List<StoredCoin>> GetCoinsAsync(DbConnection connection, IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT c.txid, c.vout, c.sh, c.value, c.height, c.coinbase, c.tx_pos FROM {Tables.Coins} c " +
            "JOIN unnest(@txids, @vouts) AS s(txid, vout) ON c.txid = s.txid AND c.vout = s.vout",
            (NpgsqlConnection)connection);
        AddOutPoints(command, outPoints);
        return await ReadCoinsAsync(command, outPoints.Count, ct).ConfigureAwait(false);
    }

    public override StoreException? Translate(Exception exception)
    {
        switch (exception)
        {
            case PostgresException e:
                return e.SqlState switch
                {
                    "28P01" or "28000" => new StoreAccessDeniedException(
                        $"PostgreSQL at {_where} rejected the credentials: check the user name and password in the connection string", e),
                    "42501" => new StoreAccessDeniedException($"PostgreSQL at {_where} denied permission: {e.MessageText}", e),
                    "3D000" => new StoreUnavailableException($"PostgreSQL at {_where}: the database does not exist; create it first", e),
                    "55P03" or "40P01" or "40001" or "55006" => new StoreBusyException(
                        $"PostgreSQL at {_where}: {e.MessageText} (lock timeout {Options.BusyTimeout.TotalMilliseconds:0} ms); is another writer active?", e),
                    "23505" => new StoreConsistencyException($"a uniqueness constraint failed: {e.MessageText} ({e.Detail})", inner: e),
                    "57P01" or "57P02" or "57P03" => new StoreConnectionLostException(
                        $"PostgreSQL at {_where} closed the connection ({e.MessageText}); nothing was half-written, retry after re-reading the tip", e),
                    "53100" => new StoreUnavailableException($"PostgreSQL at {_where}: the disk is full", e),
                    "53300" => new StoreUnavailableException($"PostgreSQL at {_where}: too many connections", e, transient: true),
                    _ when e.SqlState.StartsWith("08", StringComparison.Ordinal) => new StoreConnectionLostException(
                        $"PostgreSQL at {_where}: connection failure ({e.MessageText}); nothing was half-written", e),
                    _ => new StoreException($"PostgreSQL at {_where} reported {e.SqlState}: {e.MessageText}", e),
                };
            case NpgsqlException e when FindSocketError(e) is { } socket:
                return new StoreUnavailableException($"cannot reach PostgreSQL at {_where}: {socket.Message}", e, transient: true);
            case NpgsqlException e when e.InnerException is TimeoutException:
                return new StoreUnavailableException($"timed out waiting for PostgreSQL at {_where} (connect or command timeout)", e, transient: true);
            case NpgsqlException e:
                return new StoreConnectionLostException(
                    $"the connection to PostgreSQL at {_where} broke during the operation; nothing was half-written, retry after re-reading the tip", e);
            default:
                return null;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync().ConfigureAwait(false);
        _writerGate.Dispose();
    }

    private static SocketException? FindSocketError(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket;
            }
        }
        return null;
    }

    private static void AddOutPoints(NpgsqlCommand command, IReadOnlyCollection<OutPoint> outPoints)
    {
        var txids = new byte[outPoints.Count][];
        var vouts = new int[outPoints.Count];
        var i = 0;
        foreach (var outPoint in outPoints)
        {
            txids[i] = outPoint.TxId.ToArray();
            vouts[i] = checked((int)outPoint.Index);
            i++;
        }
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("txids", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = txids });
        command.Parameters.Add(new NpgsqlParameter<int[]>("vouts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = vouts });
    }

    private static async Task<List<StoredCoin>> ReadCoinsAsync(NpgsqlCommand command, int capacity, CancellationToken ct)
    {
        var coins = new List<StoredCoin>(capacity);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            coins.Add(Db.ReadCoin(reader));
        }
        return coins;
    }

    private sealed class PostgresWriteTransaction(PostgresBackend owner, NpgsqlConnection connection, NpgsqlTransaction transaction)
        : WriteTransaction(connection, transaction)
    {
        private readonly TableNames _t = owner.Tables;

        public override DbCommand Command(string sql) => new NpgsqlCommand(sql, connection, transaction);

        private NpgsqlCommand New(string sql) => new(sql, connection, transaction);

        public override async Task<List<StoredCoin>> DeleteCoinsAsync(IReadOnlyList<OutPoint> outPoints, CancellationToken ct)
        {
            if (outPoints.Count == 0)
            {
                return [];
            }
            await using var command = New(
                $"DELETE FROM {_t.Coins} c USING unnest(@txids, @vouts) AS s(txid, vout) WHERE c.txid = s.txid AND c.vout = s.vout " +
                "RETURNING c.txid, c.vout, c.sh, c.value, c.height, c.coinbase, c.tx_pos");
            AddOutPoints(command, outPoints);
            return await ReadCoinsAsync(command, outPoints.Count, ct).ConfigureAwait(false);
        }

        public override async Task InsertCoinsAsync(IReadOnlyList<StoredCoin> coins, CancellationToken ct)
        {
            if (coins.Count == 0)
            {
                return;
            }
            var n = coins.Count;
            var txids = new byte[n][];
            var vouts = new int[n];
            var shs = new long[n];
            var values = new long[n];
            var heights = new int[n];
            var coinbases = new short[n];
            var positions = new int[n];
            for (var i = 0; i < n; i++)
            {
                var coin = coins[i];
                txids[i] = coin.OutPoint.TxId.ToArray();
                vouts[i] = checked((int)coin.OutPoint.Index);
                shs[i] = ScripthashKeys.ToColumn(coin.ScripthashKey);
                values[i] = coin.Value;
                heights[i] = coin.Height;
                coinbases[i] = coin.IsCoinbase ? (short)1 : (short)0;
                positions[i] = coin.TxPos;
            }
            await using var command = New(
                $"INSERT INTO {_t.Coins} ({Db.CoinColumns}) " +
                "SELECT * FROM unnest(@txids, @vouts, @shs, @values, @heights, @coinbases, @positions)");
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("txids", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = txids });
            command.Parameters.Add(new NpgsqlParameter<int[]>("vouts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = vouts });
            command.Parameters.Add(new NpgsqlParameter<long[]>("shs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = shs });
            command.Parameters.Add(new NpgsqlParameter<long[]>("values", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = values });
            command.Parameters.Add(new NpgsqlParameter<int[]>("heights", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = heights });
            command.Parameters.Add(new NpgsqlParameter<short[]>("coinbases", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = coinbases });
            command.Parameters.Add(new NpgsqlParameter<int[]>("positions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = positions });
            try
            {
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == "23505")
            {
                throw new StoreConsistencyException($"a created coin already exists in the UTXO set ({e.Detail})", inner: e);
            }
        }

        public override async Task InsertHistoryAsync(int height, IReadOnlyList<BlockHistoryEntry> rows, CancellationToken ct)
        {
            if (rows.Count == 0)
            {
                return;
            }
            var shs = new long[rows.Count];
            var positions = new int[rows.Count];
            var txids = new byte[rows.Count][];
            for (var i = 0; i < rows.Count; i++)
            {
                shs[i] = ScripthashKeys.ToColumn(rows[i].ScripthashKey);
                positions[i] = rows[i].TxPos;
                txids[i] = rows[i].TxId.ToArray();
            }
            await using var command = New(
                $"INSERT INTO {_t.History} (sh, height, tx_pos, txid) " +
                "SELECT s.sh, @height, s.tx_pos, s.txid FROM unnest(@shs, @positions, @txids) AS s(sh, tx_pos, txid)");
            command.Parameters.AddWithValue("height", height);
            command.Parameters.Add(new NpgsqlParameter<long[]>("shs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = shs });
            command.Parameters.Add(new NpgsqlParameter<int[]>("positions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = positions });
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("txids", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = txids });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public override async Task InsertTxPosAsync(int height, IReadOnlyList<Hash256> txids, CancellationToken ct)
        {
            if (txids.Count == 0)
            {
                return;
            }
            var ids = new byte[txids.Count][];
            for (var i = 0; i < txids.Count; i++)
            {
                ids[i] = txids[i].ToArray();
            }
            await using var command = New(
                $"INSERT INTO {_t.TxPos} (txid, height, tx_pos) " +
                "SELECT s.txid, @height, CAST(s.ord AS INT) - 1 FROM unnest(@txids) WITH ORDINALITY AS s(txid, ord) " +
                "ON CONFLICT (txid) DO NOTHING");
            command.Parameters.AddWithValue("height", height);
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("txids", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = ids });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public override async Task DeleteHistoryAsync(int height, IReadOnlyList<(ulong Key, int TxPos)> rows, CancellationToken ct)
        {
            if (rows.Count == 0)
            {
                return;
            }
            var shs = rows.Select(r => ScripthashKeys.ToColumn(r.Key)).ToArray();
            var positions = rows.Select(r => r.TxPos).ToArray();
            await using var command = New(
                $"DELETE FROM {_t.History} h USING unnest(@shs, @positions) AS s(sh, tx_pos) " +
                "WHERE h.sh = s.sh AND h.height = @height AND h.tx_pos = s.tx_pos");
            command.Parameters.AddWithValue("height", height);
            command.Parameters.Add(new NpgsqlParameter<long[]>("shs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = shs });
            command.Parameters.Add(new NpgsqlParameter<int[]>("positions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = positions });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public override async Task DeleteTxPosAsync(int height, IReadOnlyList<Hash256> txids, CancellationToken ct)
        {
            if (txids.Count == 0)
            {
                return;
            }
            await using var command = New($"DELETE FROM {_t.TxPos} WHERE txid = ANY(@txids) AND height = @height");
            command.Parameters.AddWithValue("height", height);
            command.Parameters.Add(new NpgsqlParameter<byte[][]>("txids", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
            {
                TypedValue = txids.Select(t => t.ToArray()).ToArray(),
            });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        protected override async ValueTask ReleaseAsync()
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            owner._writerGate.Release();
        }
    }
}
