namespace Coinshard.Storage;

/// <summary>The database engines the store runs on; one schema and one conformance suite cover them all.</summary>
public enum StoreEngine
{
    /// <summary>An embedded SQLite file (single node, the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (a cluster of nodes sharing one database).</summary>
    PostgreSql,
}

/// <summary>
/// Where the store lives and how it talks to it. Connection strings may carry secrets: the store
/// never copies them into exception messages or logs.
/// </summary>
public sealed record StoreOptions
{
    /// <summary>Creates options for an engine and its connection string (SQLite: a file path or an ADO.NET connection string).</summary>
    public StoreOptions(StoreEngine engine, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Engine = engine;
        ConnectionString = connectionString;
    }

    /// <summary>Options for an SQLite file at <paramref name="path"/> (created when missing; its directory must exist).</summary>
    public static StoreOptions Sqlite(string path) => new(StoreEngine.Sqlite, path);

    /// <summary>Options for a PostgreSQL database given an Npgsql connection string.</summary>
    public static StoreOptions PostgreSql(string connectionString) => new(StoreEngine.PostgreSql, connectionString);

    /// <summary>The engine.</summary>
    public StoreEngine Engine { get; }

    /// <summary>SQLite: a file path (or <c>Data Source=…</c> string); PostgreSQL: an Npgsql connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// How long a statement waits for a lock held by another connection or process before the store
    /// gives up with <see cref="StoreBusyException"/> (SQLite busy timeout; PostgreSQL lock_timeout).
    /// </summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// SQLite: how much of the database file reader connections map into memory (<c>PRAGMA mmap_size</c>; SQLite
    /// caps it at 2 GiB), so that reading a page is a memory access instead of a <c>pread</c> system call
    /// (7-8% of the Electrum server's CPU per balance request before). 0 reads through system calls only: choose
    /// that when the file sits on storage that may fail, since an I/O error inside a mapping cannot be returned
    /// as an error (the process gets SIGBUS). Mapped pages count in the process's resident set (page cache, not
    /// heap). The writer does not map.
    /// </summary>
    public long SqliteMemoryMapBytes { get; init; } = 2L << 30;

    /// <summary>How many change-feed rows are kept; older rows are pruned as blocks are connected.</summary>
    public int ChangeFeedRetention { get; init; } = 10_000;

    /// <summary>
    /// The clock for leases and change-feed times. Null (the default) uses the database's clock, so
    /// that every node of a cluster agrees on lease expiry; tests set a manual clock.
    /// </summary>
    public TimeProvider? Clock { get; init; }
}
