using Coinshard.Storage.Internal;

namespace Coinshard.Storage.Sqlite;

/// <summary>
/// SQLite schema steps. Coins and history are WITHOUT ROWID tables clustered on their primary key:
/// a coin row is about 60 bytes, well under SQLite's guideline for such tables, and the secondary
/// index on sh then carries the primary key instead of a rowid (see the bytes-per-coin report test).
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<Migration> Global { get; } =
    [
        new(1, "leases", """
            CREATE TABLE coinshard_leases (
                name TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                token INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
    ];

    public static IReadOnlyList<Migration> Currency { get; } =
    [
        new(1, "state, headers, coins, undo, history, txpos, changes", """
            CREATE TABLE {p}_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE {p}_headers (
                height INTEGER PRIMARY KEY,
                hash BLOB NOT NULL UNIQUE,
                header BLOB NOT NULL
            );
            CREATE TABLE {p}_coins (
                txid BLOB NOT NULL,
                vout INTEGER NOT NULL,
                sh INTEGER NOT NULL,
                value INTEGER NOT NULL,
                height INTEGER NOT NULL,
                coinbase INTEGER NOT NULL,
                tx_pos INTEGER NOT NULL,
                PRIMARY KEY (txid, vout)
            ) WITHOUT ROWID;
            CREATE INDEX {p}_coins_sh ON {p}_coins (sh);
            CREATE TABLE {p}_undo (height INTEGER PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL);
            CREATE TABLE {p}_history (
                sh INTEGER NOT NULL,
                height INTEGER NOT NULL,
                tx_pos INTEGER NOT NULL,
                txid BLOB NOT NULL,
                PRIMARY KEY (sh, height, tx_pos)
            ) WITHOUT ROWID;
            CREATE TABLE {p}_txpos (
                txid BLOB PRIMARY KEY,
                height INTEGER NOT NULL,
                tx_pos INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE {p}_changes (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                height INTEGER NOT NULL,
                hash BLOB NOT NULL,
                kind TEXT NOT NULL,
                touched BLOB NOT NULL,
                time INTEGER NOT NULL
            );
            """),
    ];
}
