using Coinshard.Storage.Internal;

namespace Coinshard.Storage.PostgreSql;

/// <summary>
/// PostgreSQL schema steps. Coin columns are ordered widest first so that no alignment padding is
/// wasted (8+8+4+4+4+2 bytes, then the 33-byte short varlena txid).
/// </summary>
internal static class PostgresMigrations
{
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
    ];
}
