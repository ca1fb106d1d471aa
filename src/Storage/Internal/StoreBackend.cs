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
    public abstract Task<DbConnection> OpenReaderAsync(CancellationToken ct);

    /// <summary>Reads the coins that exist among <paramref name="outPoints"/> in one batch.</summary>
    public abstract Task<List<StoredCoin>> GetCoinsAsync(DbConnection connection, IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct);

    /// <summary>Translates a provider exception into a specific <see cref="StoreException"/>; null when it is not a database error.</summary>
    public abstract StoreException? Translate(Exception exception);

    public abstract ValueTask DisposeAsync();
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
