using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;

using Microsoft.Data.Sqlite;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Storage.Tests.Reports;

/// <summary>
/// Reports (does not assert) SQLite bytes per coin for 100,000 coins, for the schema in use
/// (WITHOUT ROWID, primary key (txid, vout), index on sh) and for the rowid alternative
/// (rowid table + unique index on (txid, vout) + index on sh), so the choice stays measured.
/// </summary>
public sealed class SqliteSizeReport(ITestOutputHelper output) : IDisposable
{
    private const int Coins = 100_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("coinshard-size-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reports_bytes_per_coin_for_100000_coins()
    {
        var path = Path.Combine(_directory, "size.db");
        await using (var store = await ChainStore.OpenAsync(StoreOptions.Sqlite(path), Currency.Bitcoin))
        {
            await store.InitializeAsync(new ChainStoreSettings(Network.BitcoinRegtest, IndexMode.Utxo, 0, 16, 1));
            var lease = (await store.TryAcquireLeaseAsync("size", TimeSpan.FromMinutes(10)))!;
            var random = new Random(5);
            var parent = Hash256.Zero;
            for (var height = 0; height < Coins / 1000; height++)
            {
                var created = new List<StoredCoin>(1000);
                for (var tx = 0; tx < 500; tx++)
                {
                    var txid = RandomHash(random);
                    for (uint vout = 0; vout < 2; vout++)
                    {
                        // Typical values: 10^4..10^9 satoshis; keys uniformly random.
                        created.Add(new StoredCoin(new OutPoint(txid, vout), (ulong)random.NextInt64(), random.NextInt64(10_000, 1_000_000_000), height, tx == 0, tx));
                    }
                }
                var header = new byte[80];
                random.NextBytes(header);
                parent.CopyTo(header.AsSpan(4, 32));
                parent = Hashes.DoubleSha256(header);
                await store.ConnectBlockAsync(new BlockDelta(height, parent, header, [], created), lease);
            }
            Assert.Equal(Coins, (await store.GetCoinStatsAsync()).Count);
        }

        SqliteConnection.ClearAllPools();
        var storeFile = await FileBytesAsync(path);
        var withoutRowid = await LayoutBytesAsync(path, "without-rowid.db", """
            CREATE TABLE coins (txid BLOB NOT NULL, vout INTEGER NOT NULL, sh INTEGER NOT NULL, value INTEGER NOT NULL,
                height INTEGER NOT NULL, coinbase INTEGER NOT NULL, tx_pos INTEGER NOT NULL, PRIMARY KEY (txid, vout)) WITHOUT ROWID;
            CREATE INDEX coins_sh ON coins (sh);
            """);
        var rowid = await LayoutBytesAsync(path, "rowid.db", """
            CREATE TABLE coins (txid BLOB NOT NULL, vout INTEGER NOT NULL, sh INTEGER NOT NULL, value INTEGER NOT NULL,
                height INTEGER NOT NULL, coinbase INTEGER NOT NULL, tx_pos INTEGER NOT NULL);
            CREATE UNIQUE INDEX coins_pk ON coins (txid, vout);
            CREATE INDEX coins_sh ON coins (sh);
            """);
        output.WriteLine($"SQLite bytes per coin ({Coins:N0} coins inserted block by block, as the follower does):");
        output.WriteLine($"  coins, WITHOUT ROWID + sh index (schema in use): {withoutRowid / (double)Coins:F1}");
        output.WriteLine($"  coins, rowid table + (txid, vout) index + sh index: {rowid / (double)Coins:F1}");
        output.WriteLine($"  whole store file (headers, undo, change feed included): {storeFile / (double)Coins:F1}");
        Assert.True(withoutRowid > 0 && rowid > 0);
    }

    /// <summary>Bytes a coins layout takes when the store's coins are inserted into it in block order.</summary>
    private async Task<long> LayoutBytesAsync(string source, string name, string schema)
    {
        var path = Path.Combine(_directory, name);
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, schema);
            var empty = await PageBytesAsync(connection);
            await ExecuteAsync(connection, $"""
                ATTACH DATABASE '{source}' AS src;
                BEGIN;
                INSERT INTO coins SELECT txid, vout, sh, value, height, coinbase, tx_pos FROM src.bitcoin_coins ORDER BY height, tx_pos, vout;
                COMMIT;
                DETACH DATABASE src;
                """);
            return await PageBytesAsync(connection) - empty;
        }
    }

    private static async Task<long> PageBytesAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<long> FileBytesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        return await PageBytesAsync(connection);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static Hash256 RandomHash(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new Hash256(bytes);
    }
}
