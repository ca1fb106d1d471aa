using Coinshard.Chain.Networks;

using Microsoft.Data.Sqlite;

using Xunit;

namespace Coinshard.Storage.Tests.Faults;

/// <summary>SQLite-only faults: paths that cannot hold a database give a specific, readable error.</summary>
public sealed class SqliteFaultTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("coinshard-fault-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(64L << 20, 64L << 20)]
    [InlineData(1L << 40, 2147418112L)] // SQLite's SQLITE_MAX_MMAP_SIZE caps the mapping
    public async Task Readers_map_the_configured_part_of_the_file(long configured, long expected)
    {
        var path = Path.Combine(_directory, "mapped.db");
        var options = StoreOptions.Sqlite(path) with { SqliteMemoryMapBytes = configured };
        var backend = new Sqlite.SqliteBackend(options, new Internal.TableNames(Currency.Bitcoin));
        await using (await ChainStore.OpenAsync(options, Currency.Bitcoin))
        {
        }
        await using (var reader = await backend.OpenReaderAsync(CancellationToken.None))
        {
            var pragma = reader.Command("PRAGMA mmap_size");
            Assert.Equal(expected, Convert.ToInt64(await pragma.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }
        await backend.DisposeAsync();
    }

    [Fact]
    public async Task A_missing_directory_is_reported_with_the_directory_to_create()
    {
        var missing = Path.Combine(_directory, "no", "such", "dir");
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(
            () => ChainStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(missing, "coinshard.db")), Currency.Bitcoin));
        Assert.Contains($"directory '{missing}' does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task A_path_that_cannot_be_created_is_reported_as_unavailable()
    {
        // /proc refuses new files even to root, unlike a chmod-ed directory.
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(
            () => ChainStore.OpenAsync(StoreOptions.Sqlite("/proc/coinshard-test.db"), Currency.Bitcoin));
        Assert.Contains("/proc/coinshard-test.db", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_database_is_reported_as_read_only_when_written()
    {
        var path = Path.Combine(_directory, "coinshard.db");
        await using (await ChainStore.OpenAsync(StoreOptions.Sqlite(path), Currency.Bitcoin))
        {
        }
        var error = await Assert.ThrowsAnyAsync<StoreUnavailableException>(async () =>
        {
            await using var store = await ChainStore.OpenAsync(StoreOptions.Sqlite($"Data Source={path};Mode=ReadOnly"), Currency.Bitcoin);
            await store.InitializeAsync(ChainStoreSettings.Default(Network.BitcoinRegtest));
        });
        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_reported()
    {
        var path = Path.Combine(_directory, "garbage.db");
        await File.WriteAllBytesAsync(path, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray());
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(
            () => ChainStore.OpenAsync(StoreOptions.Sqlite(path), Currency.Bitcoin));
        Assert.Contains("not an SQLite database", error.Message, StringComparison.Ordinal);
    }
}
