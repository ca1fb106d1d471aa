using Coinshard.Storage.Internal;

namespace Coinshard.Storage.PostgreSql;

/// <summary>
/// PostgreSQL schema steps. v2 stores coins as in SQLite (see <see cref="CoinRows"/>): a bigint outpoint
/// id as primary key (a 16-byte index entry instead of 40 for (txid, vout)) and the txid's other 26
/// bytes; columns widest first so no alignment padding is wasted (4 × 8 bytes, then the 27-byte
/// short varlena). Heap fillfactor 100: coin rows are inserted and deleted, never updated.
/// </summary>
/// <remarks>
/// Released steps never change. What a snapshot load drops and rebuilds is <see cref="DropCoinIndexes"/>,
/// <see cref="CoinIndexes"/> and <see cref="CoinsView"/>: a later step that changes them must leave v2's
/// text as it is (copy the old text into it) and update these.
/// </remarks>
internal static class PostgresMigrations
{
    /// <summary>Drops what makes a load slow (and would let a reader see a partial set): keys, indexes, the view.</summary>
    public const string DropCoinIndexes = """
        DROP VIEW IF EXISTS {p}_utxo;
        DROP INDEX IF EXISTS {p}_coins_sh;
        DROP INDEX IF EXISTS {p}_coins_x_sh;
        ALTER TABLE {p}_coins DROP CONSTRAINT IF EXISTS {p}_coins_pkey;
        """;

    /// <summary>The coin tables' primary key and scripthash indexes.</summary>
    public const string CoinIndexes = """
        ALTER TABLE {p}_coins ADD CONSTRAINT {p}_coins_pkey PRIMARY KEY (id);
        CREATE INDEX {p}_coins_sh ON {p}_coins (sh);
        CREATE INDEX {p}_coins_x_sh ON {p}_coins_x (sh);
        """;

    /// <summary>The one view every coin read goes through: both coin tables, decoded vout and scripthash prefix.</summary>
    public const string CoinsView = """
        CREATE VIEW {p}_utxo AS
            SELECT id, txrest, id & 65535 AS vout, sh, sh >> 16 AS shp, value, meta FROM {p}_coins
            UNION ALL
            SELECT id, txrest, CAST(vout AS BIGINT), sh, sh >> 16, value, meta FROM {p}_coins_x;
        """;

    public static IReadOnlyList<Migration> Global { get; } =
    [
        new(1, "leases", """
            CREATE TABLE coinshard_leases (
                name TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                token BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            );
            """),
    ];

    public static IReadOnlyList<Migration> Currency { get; } =
    [
        new(1, "state, headers, coins, undo, history, txpos, changes", """
            CREATE TABLE {p}_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE {p}_headers (
                height INT PRIMARY KEY,
                hash BYTEA NOT NULL UNIQUE,
                header BYTEA NOT NULL
            );
            CREATE TABLE {p}_coins (
                sh BIGINT NOT NULL,
                value BIGINT NOT NULL,
                height INT NOT NULL,
                vout INT NOT NULL,
                tx_pos INT NOT NULL,
                coinbase SMALLINT NOT NULL,
                txid BYTEA NOT NULL,
                PRIMARY KEY (txid, vout)
            );
            CREATE INDEX {p}_coins_sh ON {p}_coins (sh);
            CREATE TABLE {p}_undo (height INT PRIMARY KEY, hash BYTEA NOT NULL, data BYTEA NOT NULL);
            CREATE TABLE {p}_history (
                sh BIGINT NOT NULL,
                height INT NOT NULL,
                tx_pos INT NOT NULL,
                txid BYTEA NOT NULL,
                PRIMARY KEY (sh, height, tx_pos)
            );
            CREATE TABLE {p}_txpos (
                txid BYTEA PRIMARY KEY,
                height INT NOT NULL,
                tx_pos INT NOT NULL
            );
            CREATE TABLE {p}_changes (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                height INT NOT NULL,
                hash BYTEA NOT NULL,
                kind TEXT NOT NULL,
                touched BYTEA NOT NULL,
                time BIGINT NOT NULL
            );
            """),
            new(2, "compact coins: bigint outpoint id key, txid rest, packed meta; overflow table; utxo view; header staging", $$"""
            ALTER TABLE {p}_coins RENAME TO {p}_coins_v1;
            ALTER TABLE {p}_coins_v1 RENAME CONSTRAINT {p}_coins_pkey TO {p}_coins_v1_pkey;
            DROP INDEX {p}_coins_sh;
            CREATE TABLE {p}_coins (
                id BIGINT NOT NULL,
                sh BIGINT NOT NULL,
                value BIGINT NOT NULL,
                meta BIGINT NOT NULL,
                txrest BYTEA NOT NULL
            ) WITH (fillfactor = 100);
            CREATE TABLE {p}_coins_x (
                id BIGINT NOT NULL,
                sh BIGINT NOT NULL,
                value BIGINT NOT NULL,
                meta BIGINT NOT NULL,
                vout INT NOT NULL,
                txrest BYTEA NOT NULL,
                PRIMARY KEY (id, txrest, vout)
            );
            CREATE TEMPORARY TABLE coinshard_v2_coins ON COMMIT DROP AS
                SELECT ((('x' || encode(substring(txid from 1 for 6), 'hex'))::bit(48)::bigint << 16) | (vout & 65535)) # (-9223372036854775807 - 1) AS id,
                    substring(txid from 7) AS txrest, vout, sh, value,
                    CAST(height AS BIGINT) * 2 + coinbase + (CAST(tx_pos + 1 AS BIGINT) << 25) AS meta
                FROM {p}_coins_v1;
            INSERT INTO {p}_coins (id, sh, value, meta, txrest)
                SELECT DISTINCT ON (id) id, sh, value, meta, txrest FROM coinshard_v2_coins WHERE vout < 65536 ORDER BY id, txrest;
            INSERT INTO {p}_coins_x (id, sh, value, meta, vout, txrest)
                SELECT v.id, v.sh, v.value, v.meta, v.vout, v.txrest FROM coinshard_v2_coins v
                WHERE NOT EXISTS (SELECT 1 FROM {p}_coins c WHERE v.vout < 65536 AND c.id = v.id AND c.txrest = v.txrest);
            DROP TABLE {p}_coins_v1;
            {{CoinIndexes}}
            {{CoinsView}}
            CREATE TABLE {p}_headers_load (
                height INT PRIMARY KEY,
                hash BYTEA NOT NULL,
                header BYTEA NOT NULL
            );
            """),
    ];
}
