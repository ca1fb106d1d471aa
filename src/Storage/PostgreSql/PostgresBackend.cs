using System.Data.Common;
using System.Net.Sockets;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;
using Coinshard.Storage.Loading;

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

    public override async Task<ReadSession> OpenReaderAsync(CancellationToken ct) =>
        new PostgresReadSession(await _source.OpenConnectionAsync(ct).ConfigureAwait(false));

    public override async Task<List<StoredCoin>> GetCoinsAsync(ReadSession session, IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct)
    {
        var connection = session.Connection;
        await using var command = new NpgsqlCommand(
            $"SELECT u.id, u.txrest, u.vout, u.sh, u.value, u.meta FROM {Tables.Utxo} u " +
            "JOIN unnest(@ids, @rests, @vouts) AS s(id, txrest, vout) ON u.id = s.id AND u.txrest = s.txrest AND u.vout = s.vout",
            (NpgsqlConnection)connection);
        AddOutPoints(command, outPoints, withVouts: true);
        return await ReadCoinsAsync(command, outPoints.Count, ct).ConfigureAwait(false);
    }

    public override string DropCoinIndexesSql => PostgresMigrations.DropCoinIndexes;

    // More sort memory (on the server) for the index builds of a load; ANALYZE so the planner knows the table.
    public override string CreateCoinIndexesSql =>
        "SET LOCAL maintenance_work_mem = '256MB';" + PostgresMigrations.CoinIndexes + PostgresMigrations.CoinsView + "ANALYZE {p}_coins;";

    public override string EmptyTableSql(string table) => $"TRUNCATE {table}";

    public override async Task WriteLoadedCoinsAsync(WriteTransaction tx, EncodedCoins rows, CancellationToken ct)
    {
        // Binary COPY into the bare heap (no key or index during the load); inside the batch's transaction.
        var connection = (NpgsqlConnection)tx.Connection;
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {Tables.Coins} (id, sh, value, meta, txrest) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        for (var i = 0; i < rows.Count; i++)
        {
            await importer.StartRowAsync(ct).ConfigureAwait(false);
            await importer.WriteAsync(rows.Ids[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await importer.WriteAsync(rows.Shs[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await importer.WriteAsync(rows.Values[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await importer.WriteAsync(rows.Metas[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            await importer.WriteAsync(rows.RestMemory(i), NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
        }
        await importer.CompleteAsync(ct).ConfigureAwait(false);
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

    private static void AddOutPoints(NpgsqlCommand command, IReadOnlyCollection<OutPoint> outPoints, bool withVouts)
    {
        var ids = new long[outPoints.Count];
        var rests = new byte[outPoints.Count][];
        var vouts = new long[outPoints.Count];
        var i = 0;
        foreach (var outPoint in outPoints)
        {
            ids[i] = CoinRows.Id(outPoint.TxId, outPoint.Index);
            rests[i] = CoinRows.Rest(outPoint.TxId);
            vouts[i] = outPoint.Index;
            i++;
        }
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("rests", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = rests });
        if (withVouts)
        {
            command.Parameters.Add(new NpgsqlParameter<long[]>("vouts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = vouts });
        }
    }

    private static async Task<List<StoredCoin>> ReadCoinsAsync(NpgsqlCommand command, int capacity, CancellationToken ct)
    {
        var coins = new List<StoredCoin>(capacity);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            coins.Add(CoinRows.Read(reader));
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
            var slotted = outPoints.Where(o => CoinRows.FitsSlot(o.Index)).ToList();
            var deleted = new List<StoredCoin>(outPoints.Count);
            if (slotted.Count > 0)
            {
                await using var command = New(
                    $"DELETE FROM {_t.Coins} c USING unnest(@ids, @rests) AS s(id, txrest) WHERE c.id = s.id AND c.txrest = s.txrest " +
                    "RETURNING c.id, c.txrest, c.id & 65535, c.sh, c.value, c.meta");
                AddOutPoints(command, slotted, withVouts: false);
                deleted.AddRange(await ReadCoinsAsync(command, slotted.Count, ct).ConfigureAwait(false));
            }
            if (deleted.Count < outPoints.Count)
            {
                var found = deleted.Select(c => c.OutPoint).ToHashSet();
                var rest = outPoints.Where(o => !found.Contains(o)).ToList();
                await using var command = New(
                    $"DELETE FROM {_t.CoinsOverflow} x USING unnest(@ids, @rests, @vouts) AS s(id, txrest, vout) " +
                    "WHERE x.id = s.id AND x.txrest = s.txrest AND x.vout = s.vout " +
                    "RETURNING x.id, x.txrest, CAST(x.vout AS BIGINT), x.sh, x.value, x.meta");
                AddOutPoints(command, rest, withVouts: true);
                deleted.AddRange(await ReadCoinsAsync(command, rest.Count, ct).ConfigureAwait(false));
            }
            return deleted;
        }

        public override async Task InsertCoinsAsync(IReadOnlyList<StoredCoin> coins, CancellationToken ct)
        {
            if (coins.Count == 0)
            {
                return;
            }
            // One statement takes every free slot that no overflow row shares; the rest are placed one by one.
            var slotted = coins.Where(c => CoinRows.FitsSlot(c.OutPoint.Index)).ToList();
            var n = slotted.Count;
            var ids = new long[n];
            var rests = new byte[n][];
            var shs = new long[n];
            var values = new long[n];
            var metas = new long[n];
            for (var i = 0; i < n; i++)
            {
                var coin = slotted[i];
                ids[i] = CoinRows.Id(coin.OutPoint.TxId, coin.OutPoint.Index);
                rests[i] = CoinRows.Rest(coin.OutPoint.TxId);
                shs[i] = ScripthashKeys.ToColumn(coin.ScripthashKey);
                values[i] = coin.Value;
                metas[i] = CoinRows.Meta(coin);
            }
            var placed = new HashSet<OutPoint>(n);
            if (n > 0)
            {
                await using var command = New(
                    $"INSERT INTO {_t.Coins} (id, sh, value, meta, txrest) " +
                    "SELECT s.id, s.sh, s.value, s.meta, s.txrest FROM unnest(@ids, @shs, @values, @metas, @rests) AS s(id, sh, value, meta, txrest) " +
                    $"WHERE NOT EXISTS (SELECT 1 FROM {_t.CoinsOverflow} x WHERE x.id = s.id) ON CONFLICT (id) DO NOTHING RETURNING id, txrest");
                command.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
                command.Parameters.Add(new NpgsqlParameter<long[]>("shs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = shs });
                command.Parameters.Add(new NpgsqlParameter<long[]>("values", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = values });
                command.Parameters.Add(new NpgsqlParameter<long[]>("metas", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = metas });
                command.Parameters.Add(new NpgsqlParameter<byte[][]>("rests", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = rests });
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var id = reader.GetInt64(0);
                    var txrest = (byte[])reader.GetValue(1);
                    placed.Add(new OutPoint(CoinRows.TxId(id, txrest), (uint)(id & CoinRows.MaxSlotVout)));
                }
            }
            foreach (var coin in coins)
            {
                if (!placed.Contains(coin.OutPoint))
                {
                    await PlaceCollidingCoinAsync(_t, coin, ct).ConfigureAwait(false);
                }
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

/// <summary>A pooled Npgsql connection for one read; Npgsql's auto-prepare keeps hot statements prepared.</summary>
internal sealed class PostgresReadSession(NpgsqlConnection connection) : ReadSession
{
    public override DbConnection Connection => connection;

    public override DbCommand Command(string sql) => new NpgsqlCommand(sql, connection);

    public override void Discard()
    {
        // Npgsql resets or drops a broken connection itself when it is returned.
    }

    public override ValueTask DisposeAsync() => connection.DisposeAsync();
}
