using Coinshard.Chain.Networks;
using Coinshard.Storage.Tests.Infrastructure;

using Xunit;

namespace Coinshard.Storage.Tests.Conformance;

/// <summary>
/// Per-test database plumbing shared by the conformance suite: a fresh database (SQLite file or
/// PostgreSQL schema) per test, stores opened on it, and raw SQL access for what the public API must
/// not offer (tampering with the schema version, holding locks).
/// </summary>
public abstract class StoreTarget : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _open = [];

    /// <summary>Options of this test's fresh database (no clock override).</summary>
    protected StoreOptions Options { get; set; } = null!;

    /// <summary>The clock the tests' stores judge leases by.</summary>
    internal ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    protected static Network TestNetwork => Network.BitcoinRegtest;

    /// <summary>Creates the fresh database and sets <see cref="Options"/>.</summary>
    protected abstract Task CreateDatabaseAsync();

    /// <summary>Drops the database.</summary>
    protected abstract Task DropDatabaseAsync();

    /// <summary>Runs SQL on a connection of its own; returns the first column of the first row.</summary>
    protected abstract Task<object?> RawAsync(string sql);

    /// <summary>Holds the database lock a writer needs (until disposed), from another connection.</summary>
    protected abstract Task<IAsyncDisposable> HoldWriterLockAsync();

    /// <summary>The definitions of the bitcoin tables, indexes and views, as one comparable text.</summary>
    protected abstract Task<string> SchemaAsync();

    /// <summary>An SQL literal of <paramref name="bytes"/> as a BLOB / BYTEA.</summary>
    protected abstract string BlobLiteral(byte[] bytes);

    /// <summary>This engine's schema steps (the migration tests build a v1 database with them).</summary>
    internal abstract IReadOnlyList<Internal.Migration> GlobalMigrations { get; }

    internal abstract IReadOnlyList<Internal.Migration> CurrencyMigrations { get; }

    public async Task InitializeAsync() => await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var item in _open)
        {
            await item.DisposeAsync();
        }
        await DropDatabaseAsync();
    }

    internal async Task<ChainStore> OpenAsync(TimeProvider? clock = null, TimeSpan? busyTimeout = null, int changeRetention = 10_000)
    {
        var options = Options with
        {
            Clock = clock ?? Clock,
            BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10),
            ChangeFeedRetention = changeRetention,
        };
        var store = await ChainStore.OpenAsync(options, Currency.Bitcoin);
        _open.Add(store);
        return store;
    }

    internal async Task<(ChainStore Store, LeaseToken Lease)> OpenWriterAsync(
        IndexMode mode = IndexMode.Full, int undoDepth = 1000, int changeRetention = 10_000, TimeSpan? busyTimeout = null)
    {
        var store = await OpenAsync(changeRetention: changeRetention, busyTimeout: busyTimeout);
        await store.InitializeAsync(new ChainStoreSettings(TestNetwork, mode, 0, 16, undoDepth));
        var lease = await store.TryAcquireLeaseAsync("writer", TimeSpan.FromMinutes(10));
        Assert.NotNull(lease);
        return (store, lease);
    }

    internal StoreOptions RawOptions => Options;
}
