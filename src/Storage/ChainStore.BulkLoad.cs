using System.Globalization;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Storage.Internal;
using Coinshard.Storage.Loading;

namespace Coinshard.Storage;

public sealed partial class ChainStore
{
    /// <summary>Called at named points of a load's write transactions ("load:before-commit") by crash tests.</summary>
    internal Func<string, Task>? LoadFaultInjection { get; set; }

    /// <summary>
    /// Begins loading a UTXO snapshot into this currency, which must be empty and in utxo mode: records
    /// "loading" (base block, declared coin count, dust limit) and takes the coin indexes and the coin
    /// view down so that appends are fast and nothing partial can be read. From here until the load
    /// completes or is aborted, reads raise <see cref="StoreLoadingException"/>.
    /// </summary>
    /// <exception cref="StoreModeException">The currency is in full mode (history cannot come from a snapshot).</exception>
    /// <exception cref="StoreNotEmptyException">The currency holds a chain: reset it first.</exception>
    /// <exception cref="StoreLoadingException">Another load is in progress or was interrupted: abort it first.</exception>
    /// <exception cref="LeaseLostException">The lease is no longer held.</exception>
    public Task<BulkLoader> BeginBulkLoadAsync(BulkLoadTarget target, LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(lease);
        target.Validate();
        var settings = RequireSettings();
        if (settings.Mode != IndexMode.Utxo)
        {
            throw new StoreModeException(
                $"the {_t.Prefix} index is in full mode: a UTXO snapshot carries no history, so only a utxo-mode index can be loaded from one");
        }
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLeaseAsync(tx, lease, ct).ConfigureAwait(false);
            if (await ReadLoadStatusAsync(tx, ct).ConfigureAwait(false) is { State: BulkLoadState.Loading } running)
            {
                throw new StoreLoadingException(
                    $"cannot begin a snapshot load of {_t.Prefix}: {LoadState.Describe(running)}; abort it (AbortBulkLoadAsync) or reset the index first");
            }
            var tip = await ReadTipAsync(tx.Command($"SELECT height, hash FROM {_t.Headers} ORDER BY height DESC LIMIT 1"), ct).ConfigureAwait(false);
            var nonEmpty = tip is not null ? $"its tip is {tip.Height} {tip.Hash}" : null;
            foreach (var table in new[] { _t.Coins, _t.CoinsOverflow, _t.Undo })
            {
                if (nonEmpty is null && await Db.ScalarAsync(tx.Command($"SELECT 1 FROM {table} LIMIT 1"), ct).ConfigureAwait(false) is not null)
                {
                    nonEmpty = $"{table} has rows";
                }
            }
            if (nonEmpty is not null)
            {
                throw new StoreNotEmptyException(
                    $"a snapshot can only be loaded into an empty index, but the {_t.Prefix} index is not empty ({nonEmpty}); reset it first (ResetAsync)");
            }
            await Db.ExecuteAsync(tx.Command($"DELETE FROM {_t.State} WHERE {LoadState.KeyFilter}"), ct).ConfigureAwait(false);
            await Db.ExecuteAsync(tx.Command($"DELETE FROM {_t.HeadersLoad}"), ct).ConfigureAwait(false);
            await Db.ExecuteAsync(tx.Command(_t.Expand(_db.DropCoinIndexesSql)), ct).ConfigureAwait(false);
            var now = await Db.ScalarAsync(BindNow(tx.Command($"SELECT {_db.Now}")), ct).ConfigureAwait(false);
            await WriteStateAsync(tx, new Dictionary<string, string>
            {
                [LoadState.State] = LoadState.Loading,
                [LoadState.BaseHeight] = Text(target.BaseHeight),
                [LoadState.BaseHash] = target.BaseHash.ToString(),
                [LoadState.SnapshotCoins] = Text(target.SnapshotCoins),
                [LoadState.DustLimit] = Text(target.DustLimit),
                [LoadState.CoinsAdded] = "0",
                [LoadState.CoinsSkipped] = "0",
                [LoadState.Started] = Convert.ToString(now, CultureInfo.InvariantCulture)!,
            }, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return new BulkLoader(this, target, lease);
        });
    }

    /// <summary>The recorded snapshot load (running, interrupted or complete), or null when the index was not loaded from a snapshot. Never refused.</summary>
    public Task<BulkLoadStatus?> GetBulkLoadStatusAsync(CancellationToken ct = default) =>
        ReadUncheckedAsync(c => ReadLoadStatusAsync(c, ct), ct);

    /// <summary>
    /// Discards a snapshot load that is in progress or was interrupted (by this process or another):
    /// empties the coin tables and the staged headers, rebuilds the coin indexes and view, and forgets
    /// the load, in one transaction under the lease. Returns false (and changes nothing) when no load is in progress.
    /// </summary>
    /// <exception cref="LeaseLostException">The lease is no longer held.</exception>
    public Task<bool> AbortBulkLoadAsync(LeaseToken lease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLeaseAsync(tx, lease, ct).ConfigureAwait(false);
            if (await ReadLoadStatusAsync(tx, ct).ConfigureAwait(false) is not { State: BulkLoadState.Loading })
            {
                return false;
            }
            await EmptyCoinTablesAsync(tx, ct).ConfigureAwait(false);
            await Db.ExecuteAsync(tx.Command($"DELETE FROM {_t.State} WHERE {LoadState.KeyFilter}"), ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return true;
        });
    }

    internal Task WriteLoadBatchAsync(BulkLoader loader, EncodedCoins rows, CancellationToken ct) =>
        Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLoadAsync(tx, loader, ct).ConfigureAwait(false);
            await _db.WriteLoadedCoinsAsync(tx, rows, ct).ConfigureAwait(false);
            foreach (var row in rows.Overflow)
            {
                var insert = tx.Command(
                    $"INSERT INTO {_t.CoinsOverflow} (id, txrest, vout, sh, value, meta) VALUES (@id, @txrest, @vout, @sh, @value, @meta)");
                Db.Set(insert, "@id", row.Id);
                Db.Set(insert, "@txrest", row.Rest);
                Db.Set(insert, "@vout", (long)row.Vout);
                Db.Set(insert, "@sh", row.Sh);
                Db.Set(insert, "@value", row.Value);
                Db.Set(insert, "@meta", row.Meta);
                await Db.ExecuteAsync(insert, ct).ConfigureAwait(false);
            }
            var progress = tx.Command($"UPDATE {_t.State} SET value = @value WHERE key = '{LoadState.CoinsAdded}'");
            Db.Set(progress, "@value", Text(loader.CoinsAdded + rows.Count + rows.Overflow.Count));
            await Db.ExecuteAsync(progress, ct).ConfigureAwait(false);
            if (LoadFaultInjection is { } hook)
            {
                await hook("load:before-commit").ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return 0;
        });

    internal Task WriteLoadHeadersAsync(BulkLoader loader, int firstHeight, IReadOnlyList<byte[]> headers, Hash256[] hashes, CancellationToken ct) =>
        Guard(async () =>
        {
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLoadAsync(tx, loader, ct).ConfigureAwait(false);
            var insert = tx.Command($"INSERT INTO {_t.HeadersLoad} (height, hash, header) VALUES (@height, @hash, @header)");
            for (var i = 0; i < headers.Count; i++)
            {
                Db.Set(insert, "@height", firstHeight + i);
                Db.Set(insert, "@hash", Db.Bytes(hashes[i]));
                Db.Set(insert, "@header", headers[i]);
                await Db.ExecuteAsync(insert, ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return 0;
        });

    internal Task<BulkLoadStatus> PublishLoadAsync(BulkLoader loader, long skippedCoins, CancellationToken ct) =>
        Guard(async () =>
        {
            await using var build = await _db.BeginIndexBuildAsync(ct).ConfigureAwait(false);
            await using var tx = await _db.BeginWriteAsync(false, ct).ConfigureAwait(false);
            await VerifyLoadAsync(tx, loader, ct).ConfigureAwait(false);
            // Headers first: the index build then reuses the pages the staged headers free.
            await Db.ExecuteAsync(tx.Command(
                $"INSERT INTO {_t.Headers} (height, hash, header) SELECT height, hash, header FROM {_t.HeadersLoad} ORDER BY height"), ct).ConfigureAwait(false);
            await Db.ExecuteAsync(tx.Command(_db.EmptyTableSql(_t.HeadersLoad)), ct).ConfigureAwait(false);
            await Db.ExecuteAsync(tx.Command(_t.Expand(_db.CreateCoinIndexesSql)), ct).ConfigureAwait(false);
            // Readers that follow the change feed must resynchronize everything: leave a gap before the base block's row.
            await AppendResyncMarkerAsync(tx, ChangeKind.Connect, new ChainTip(loader.Target.BaseHeight, loader.Target.BaseHash), ct).ConfigureAwait(false);
            var now = await Db.ScalarAsync(BindNow(tx.Command($"SELECT {_db.Now}")), ct).ConfigureAwait(false);
            await WriteStateAsync(tx, new Dictionary<string, string>
            {
                [LoadState.State] = LoadState.Complete,
                [LoadState.CoinsAdded] = Text(loader.CoinsAdded),
                [LoadState.CoinsSkipped] = Text(skippedCoins),
                [LoadState.Completed] = Convert.ToString(now, CultureInfo.InvariantCulture)!,
            }, ct).ConfigureAwait(false);
            var status = await ReadLoadStatusAsync(tx, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return status!;
        });

    /// <summary>The write of a load must hold the lease and find its load still recorded (not aborted or replaced).</summary>
    private async Task VerifyLoadAsync(WriteTransaction tx, BulkLoader loader, CancellationToken ct)
    {
        await VerifyLeaseAsync(tx, loader.Lease, ct).ConfigureAwait(false);
        var status = await ReadLoadStatusAsync(tx, ct).ConfigureAwait(false);
        if (status is not { State: BulkLoadState.Loading } || status.Target != loader.Target || status.CoinsAdded != loader.CoinsAdded)
        {
            throw new StoreLoadingException(
                $"the {_t.Prefix} snapshot load at base {loader.Target.BaseHeight} is no longer the one recorded (it was aborted, reset or replaced); nothing was written");
        }
    }

    /// <summary>Empties both coin tables and the staged headers, and rebuilds the coin indexes and view (cheap on empty tables).</summary>
    private async Task EmptyCoinTablesAsync(WriteTransaction tx, CancellationToken ct)
    {
        await Db.ExecuteAsync(tx.Command(_t.Expand(_db.DropCoinIndexesSql)), ct).ConfigureAwait(false);
        foreach (var table in new[] { _t.Coins, _t.CoinsOverflow, _t.HeadersLoad })
        {
            await Db.ExecuteAsync(tx.Command(_db.EmptyTableSql(table)), ct).ConfigureAwait(false);
        }
        await Db.ExecuteAsync(tx.Command(_t.Expand(_db.CreateCoinIndexesSql)), ct).ConfigureAwait(false);
    }

    private async Task<BulkLoadStatus?> ReadLoadStatusAsync(WriteTransaction tx, CancellationToken ct) =>
        LoadState.Parse(await ReadStateAsync(tx.Command($"SELECT key, value FROM {_t.State} WHERE {LoadState.KeyFilter}"), ct).ConfigureAwait(false));

    private async Task<BulkLoadStatus?> ReadLoadStatusAsync(ReadSession connection, CancellationToken ct) =>
        LoadState.Parse(await ReadStateAsync(Prepare(connection, $"SELECT key, value FROM {_t.State} WHERE {LoadState.KeyFilter}"), ct).ConfigureAwait(false));

    /// <summary>Refuses to serve while a load is in progress or interrupted.</summary>
    private async Task EnsureServableAsync(ReadSession connection, CancellationToken ct)
    {
        if (await Db.ScalarAsync(Prepare(connection, $"SELECT value FROM {_t.State} WHERE key = '{LoadState.State}'"), ct).ConfigureAwait(false) is LoadState.Loading)
        {
            throw await LoadingRefusalAsync(connection, null, ct).ConfigureAwait(false);
        }
    }

    private async Task<StoreLoadingException> LoadingRefusalAsync(ReadSession connection, Exception? inner, CancellationToken ct)
    {
        var status = await ReadLoadStatusAsync(connection, ct).ConfigureAwait(false);
        var what = status is null ? "a snapshot load is in progress or was interrupted" : LoadState.Describe(status);
        return new StoreLoadingException(
            $"the {_t.Prefix} index is not served: {what}. Wait for it to complete, or abort it (AbortBulkLoadAsync) and load again", inner);
    }

    private async Task WriteStateAsync(WriteTransaction tx, Dictionary<string, string> values, CancellationToken ct)
    {
        var upsert = tx.Command(
            $"INSERT INTO {_t.State} (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        foreach (var (key, value) in values)
        {
            Db.Set(upsert, "@key", key);
            Db.Set(upsert, "@value", value);
            await Db.ExecuteAsync(upsert, ct).ConfigureAwait(false);
        }
    }

    private System.Data.Common.DbCommand BindNow(System.Data.Common.DbCommand command)
    {
        _db.BindNow(command);
        return command;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
