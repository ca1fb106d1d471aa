using Coinshard.Storage.Internal;

namespace Coinshard.Storage.Sqlite;

/// <summary>
/// SQLite schema steps. v2 keys coins by a 64-bit outpoint id as the rowid (see <see cref="CoinRows"/>):
/// appends in id order fill pages completely, a row is about 58 bytes, and the scripthash index holds
/// 6 + 8 bytes per coin (see the bytes-per-coin report). History stays WITHOUT ROWID on its key.
/// </summary>
/// <remarks>
/// Released steps never change. The index and view definitions a snapshot load drops and rebuilds are
/// <see cref="CoinIndexes"/> and <see cref="CoinsView"/>: a later step that changes them must leave v2's
/// text as it is (copy the old text into it) and update these.
/// </remarks>
internal static class SqliteMigrations
{
    /// <summary>The scalar function the v2 data migration computes coin ids with (registered on the writer).</summary>
    public const string CoinIdFunction = "coinshard_coin_id";

    /// <summary>The scripthash indexes of the coin tables (built after a snapshot load).</summary>
    public const string CoinIndexes = """
        CREATE INDEX {p}_coins_sh ON {p}_coins (shp);
        CREATE INDEX {p}_coins_x_sh ON {p}_coins_x (sh);
        """;

    /// <summary>The one view every coin read goes through: both coin tables, decoded vout and scripthash prefix.</summary>
    public const string CoinsView = """
        CREATE VIEW {p}_utxo AS
            SELECT id, txrest, id & 65535 AS vout, sh, shp, value, meta FROM {p}_coins
            UNION ALL
            SELECT id, txrest, vout, sh, sh >> 16, value, meta FROM {p}_coins_x;
        """;

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
        new(2, "compact coins: 64-bit outpoint id as rowid, txid rest, packed meta; overflow table; utxo view; header staging", $$"""
            ALTER TABLE {p}_coins RENAME TO {p}_coins_v1;
            DROP INDEX {p}_coins_sh;
            CREATE TABLE {p}_coins (
                id INTEGER PRIMARY KEY,
                txrest BLOB NOT NULL,
                sh INTEGER NOT NULL,
                value INTEGER NOT NULL,
                meta INTEGER NOT NULL,
                shp INTEGER GENERATED ALWAYS AS (sh >> 16) VIRTUAL
            );
            CREATE TABLE {p}_coins_x (
                id INTEGER NOT NULL,
                txrest BLOB NOT NULL,
                vout INTEGER NOT NULL,
                sh INTEGER NOT NULL,
                value INTEGER NOT NULL,
                meta INTEGER NOT NULL,
                PRIMARY KEY (id, txrest, vout)
            ) WITHOUT ROWID;
            INSERT INTO {p}_coins (id, txrest, sh, value, meta)
                SELECT {{CoinIdFunction}}(txid, vout), substr(txid, 7), sh, value, height * 2 + coinbase + ((tx_pos + 1) << 25)
                FROM {p}_coins_v1 WHERE vout < 65536 ORDER BY 1
                ON CONFLICT DO NOTHING;
            INSERT INTO {p}_coins_x (id, txrest, vout, sh, value, meta)
                SELECT {{CoinIdFunction}}(v.txid, v.vout), substr(v.txid, 7), v.vout, v.sh, v.value, v.height * 2 + v.coinbase + ((v.tx_pos + 1) << 25)
                FROM {p}_coins_v1 v
                WHERE NOT EXISTS (SELECT 1 FROM {p}_coins c WHERE v.vout < 65536 AND c.id = {{CoinIdFunction}}(v.txid, v.vout) AND c.txrest = substr(v.txid, 7));
            DROP TABLE {p}_coins_v1;
            {{CoinIndexes}}
            {{CoinsView}}
            CREATE TABLE {p}_headers_load (
                height INTEGER PRIMARY KEY,
                hash BLOB NOT NULL,
                header BLOB NOT NULL
            );
            """),
    ];
}
