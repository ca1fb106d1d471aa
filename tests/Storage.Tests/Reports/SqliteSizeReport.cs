using System.Globalization;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Tests.Infrastructure;

using Microsoft.Data.Sqlite;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Storage.Tests.Reports;

/// <summary>
/// Reports (does not assert figures) SQLite bytes per coin for the schema in use: 100,000 coins
/// inserted block by block, as the follower does, and a snapshot bulk-loaded (1,000,000 coins, or
/// COINSHARD_SIZE_REPORT_COINS) with one header per 200 coins (mainnet's ratio) — per table and index
/// and for the whole file.
/// </summary>
public sealed class SqliteSizeReport(ITestOutputHelper output) : IDisposable
{
    private const int BlockCoins = 100_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("coinshard-size-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reports_bytes_per_coin_block_by_block_and_bulk_loaded()
    {
        var blockPath = Path.Combine(_directory, "blocks.db");
        await using (var store = await ChainStore.OpenAsync(StoreOptions.Sqlite(blockPath), Currency.Bitcoin))
        {
            await store.InitializeAsync(new ChainStoreSettings(Network.BitcoinRegtest, IndexMode.Utxo, 0, 16, 1));
            var lease = (await store.TryAcquireLeaseAsync("size", TimeSpan.FromMinutes(10)))!;
            var random = new Random(5);
            var parent = Hash256.Zero;
            for (var height = 0; height < BlockCoins / 1000; height++)
            {
                var created = new List<StoredCoin>(1000);
                for (var tx = 0; tx < 500; tx++)
                {
                    var txid = SnapshotSample.RandomHash(random);
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
            Assert.Equal(BlockCoins, (await store.GetCoinStatsAsync()).Count);
        }
        await ReportAsync(blockPath, BlockCoins, $"{BlockCoins:N0} coins inserted block by block (1,000 per block, undo depth 1)");

        var coins = Environment.GetEnvironmentVariable("COINSHARD_SIZE_REPORT_COINS") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : 1_000_000;
        var bulkPath = Path.Combine(_directory, "bulk.db");
        const int baseHeight = 850_000;
        await using (var store = await ChainStore.OpenAsync(StoreOptions.Sqlite(bulkPath), Currency.Bitcoin))
        {
            await store.InitializeAsync(new ChainStoreSettings(Network.BitcoinRegtest, IndexMode.Utxo, 0, 16, 100));
            var lease = (await store.TryAcquireLeaseAsync("size", TimeSpan.FromHours(1)))!;
            var keys = Enumerable.Range(0, Math.Max(1, coins / 2)).Select(i => (ulong)new Random(i).NextInt64() * 3).ToList();
            var snapshot = SnapshotSample.Coins(9, coins, keys, baseHeight);
            var headerCount = Math.Max(1, coins / 200);
            var headers = SnapshotSample.Headers(9, headerCount - 1);
            var loader = await store.BeginBulkLoadAsync(new BulkLoadTarget(baseHeight, Hashes.DoubleSha256(headers[^1]), coins), lease);
            await loader.AddHeadersAsync(baseHeight - headerCount + 1, headers);
            foreach (var batch in snapshot.Chunk(100_000))
            {
                await loader.AddAsync(batch);
            }
            await loader.CompleteAsync();
            Assert.Equal(coins, (await store.GetCoinStatsAsync()).Count);
        }
        await ReportAsync(bulkPath, coins, $"{coins:N0} coins bulk-loaded from a sorted snapshot, {coins / 200:N0} headers");
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    private async Task ReportAsync(string path, int coins, string what)
    {
        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
        }
        output.WriteLine($"SQLite bytes per coin, {what}:");
        var copy = path + ".measure";
        File.Copy(path, copy, overwrite: true);
        // No dbstat in this SQLite build: on a copy, dropping an object frees exactly its pages.
        await using (var measure = new SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            await measure.OpenAsync();
            await ScalarAsync(measure, "DROP VIEW bitcoin_utxo");
            foreach (var name in new[] { "bitcoin_coins_sh", "bitcoin_coins", "bitcoin_coins_x", "bitcoin_headers", "bitcoin_undo", "bitcoin_changes" })
            {
                var before = await ScalarAsync(measure, "PRAGMA freelist_count");
                await ScalarAsync(measure, name.EndsWith("_sh", StringComparison.Ordinal) ? $"DROP INDEX {name}" : $"DROP TABLE {name}");
                var pages = await ScalarAsync(measure, "PRAGMA freelist_count") - before;
                output.WriteLine($"  {name + (name.EndsWith("_sh", StringComparison.Ordinal) ? " (index)" : ""),-28} {pages * 4096 / (double)coins,8:F1}");
            }
        }
        File.Delete(copy);
        await using (var size = connection.CreateCommand())
        {
            size.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())";
            var bytes = Convert.ToInt64(await size.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            output.WriteLine($"  {"whole file",-28} {bytes / (double)coins,8:F1}  ({bytes / 1048576.0:F1} MiB)");
            Assert.True(bytes > 0);
        }
    }
}
