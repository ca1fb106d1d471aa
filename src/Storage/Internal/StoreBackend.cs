using System.Data.Common;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage.Internal;

/// <summary>
/// What differs between engines: connections, the writer discipline, bulk statements, clocks and
/// error translation. Everything else (the connect/disconnect algorithm, reads) lives in
/// <see cref="ChainStore"/> as portable SQL.
/// </summary>
internal abstract class StoreBackend(StoreOptions options, TableNames tables) : IAsyncDisposable
{
    public StoreOptions Options { get; } = options;

    public TableNames Tables { get; } = tables;

    public abstract IReadOnlyList<Migration> GlobalMigrations { get; }

    public abstract IReadOnlyList<Migration> CurrencyMigrations { get; }

    /// <summary>SQL expression for "now" in Unix milliseconds by the database clock.</summary>
    protected abstract string DatabaseNowSql { get; }

    /// <summary>Appended to the lease check inside a write so that a takeover waits for it (PostgreSQL row lock).</summary>
    public abstract string LockRowSuffix { get; }

    /// <summary>"now" for SQL text: the database clock, or a parameter when a test clock is set.</summary>
    public string Now => Options.Clock is null ? DatabaseNowSql : "@now";

    public void BindNow(DbCommand command)
    {
        if (Options.Clock is { } clock)
        {
            Db.Set(command, "@now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    /// <summary>Opens what must be open (SQLite: the writer connection) and proves the database is reachable.</summary>
    public abstract Task OpenAsync(CancellationToken ct);

    /// <summary>Begins the single write transaction (serialized per store; SQLite BEGIN IMMEDIATE; PostgreSQL with an advisory lock for migrations).</summary>
    public abstract Task<WriteTransaction> BeginWriteAsync(bool migration, CancellationToken ct);

    /// <summary>Opens a reader connection (never the writer's).</summary>
    public abstract Task<ReadSession> OpenReaderAsync(CancellationToken ct);

    /// <summary>Reads the coins that exist among <paramref name="outPoints"/> in one batch.</summary>
    public abstract Task<List<StoredCoin>> GetCoinsAsync(ReadSession session, IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct);

    /// <summary>Drops the coin view and indexes (a snapshot load appends to bare tables; readers find no view). Uses <c>{p}</c>.</summary>
    public abstract string DropCoinIndexesSql { get; }

    /// <summary>Creates the coin indexes and view (after a load, or on emptied tables). Uses <c>{p}</c>.</summary>
    public abstract string CreateCoinIndexesSql { get; }

    /// <summary>Empties a table inside a write transaction (PostgreSQL: TRUNCATE).</summary>
    public abstract string EmptyTableSql(string table);

    /// <summary>Appends the slot rows of a load batch to the bare coins table, the engine's fastest way.</summary>
    public abstract Task WriteLoadedCoinsAsync(WriteTransaction tx, Loading.EncodedCoins rows, CancellationToken ct);

    /// <summary>Prepares the engine for a large index build (outside any transaction) until disposed.</summary>
    public virtual Task<IAsyncDisposable> BeginIndexBuildAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable>(NoSetup.Instance);

    /// <summary>Translates a provider exception into a specific <see cref="StoreException"/>; null when it is not a database error.</summary>
    public abstract StoreException? Translate(Exception exception);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Nothing to undo.</summary>
internal sealed class NoSetup : IAsyncDisposable
{
    public static NoSetup Instance { get; } = new();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>One write transaction on the writer connection. Disposing without commit rolls back.</summary>
internal abstract class WriteTransaction(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    private bool _done;

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>A command for <paramref name="sql"/> inside this transaction (SQLite: prepared once and reused).</summary>
    public abstract DbCommand Command(string sql);

    /// <summary>Deletes the coins that exist among <paramref name="outPoints"/>, returning their stored rows.</summary>
    public abstract Task<List<StoredCoin>> DeleteCoinsAsync(IReadOnlyList<OutPoint> outPoints, CancellationToken ct);

    /// <summary>Inserts coins; an existing outpoint raises <see cref="StoreConsistencyException"/>.</summary>
    public abstract Task InsertCoinsAsync(IReadOnlyList<StoredCoin> coins, CancellationToken ct);

    public abstract Task InsertHistoryAsync(int height, IReadOnlyList<BlockHistoryEntry> rows, CancellationToken ct);

    /// <summary>Inserts txid positions; a txid already present (BIP30 duplicates) keeps its first position.</summary>
    public abstract Task InsertTxPosAsync(int height, IReadOnlyList<Hash256> txids, CancellationToken ct);

    public abstract Task DeleteHistoryAsync(int height, IReadOnlyList<(ulong Key, int TxPos)> rows, CancellationToken ct);

    public abstract Task DeleteTxPosAsync(int height, IReadOnlyList<Hash256> txids, CancellationToken ct);

    /// <summary>
    /// Stores a coin the fast insert did not place (its id slot is taken, an overflow row shares its id,
    /// or its vout does not fit the slot): refuses an outpoint that already exists anywhere, else takes
    /// the slot when it is free, else the overflow table. Rare, so plain statements suffice.
    /// </summary>
    protected async Task PlaceCollidingCoinAsync(TableNames t, StoredCoin coin, CancellationToken ct)
    {
        var id = CoinRows.Id(coin.OutPoint.TxId, coin.OutPoint.Index);
        var rest = CoinRows.Rest(coin.OutPoint.TxId);
        var exists = Command($"SELECT 1 FROM {t.Utxo} WHERE id = @id AND txrest = @txrest AND vout = @vout");
        Db.Set(exists, "@id", id);
        Db.Set(exists, "@txrest", rest);
        Db.Set(exists, "@vout", (long)coin.OutPoint.Index);
        if (await Db.ScalarAsync(exists, ct).ConfigureAwait(false) is not null)
        {
            throw new StoreConsistencyException($"coin {coin.OutPoint} already exists in the UTXO set", coin.OutPoint);
        }
        var slotTaken = true;
        if (CoinRows.FitsSlot(coin.OutPoint.Index))
        {
            var slot = Command($"SELECT 1 FROM {t.Coins} WHERE id = @id");
            Db.Set(slot, "@id", id);
            slotTaken = await Db.ScalarAsync(slot, ct).ConfigureAwait(false) is not null;
        }
        var insert = Command(slotTaken
            ? $"INSERT INTO {t.CoinsOverflow} (id, txrest, vout, sh, value, meta) VALUES (@id, @txrest, @vout, @sh, @value, @meta)"
            : $"INSERT INTO {t.Coins} (id, txrest, sh, value, meta) VALUES (@id, @txrest, @sh, @value, @meta)");
        Db.Set(insert, "@id", id);
        Db.Set(insert, "@txrest", rest);
        if (slotTaken)
        {
            Db.Set(insert, "@vout", (long)coin.OutPoint.Index);
        }
        Db.Set(insert, "@sh", ScripthashKeys.ToColumn(coin.ScripthashKey));
        Db.Set(insert, "@value", coin.Value);
        Db.Set(insert, "@meta", CoinRows.Meta(coin));
        await Db.ExecuteAsync(insert, ct).ConfigureAwait(false);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await Transaction.CommitAsync(ct).ConfigureAwait(false);
        _done = true;
        OnCommitted();
    }

    /// <summary>Runs after a successful commit (SQLite: wakes the checkpointer).</summary>
    protected virtual void OnCommitted()
    {
    }

    public async ValueTask DisposeAsync()
    {
        if (!_done)
        {
            _done = true;
            try
            {
                await Transaction.RollbackAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed rollback (broken connection, engine already rolled back) leaves nothing to undo.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        await Transaction.DisposeAsync().ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>Returns the connection (PostgreSQL) and lets the next writer in.</summary>
    protected abstract ValueTask ReleaseAsync();
}
