using Coinshard.Chain.Hashing;
using Coinshard.Storage.Tests.Infrastructure;

using Xunit;

namespace Coinshard.Storage.Tests.Conformance;

public abstract partial class ChainStoreConformanceTests
{
    [StoreFact]
    public async Task A_writer_killed_inside_its_transaction_leaves_the_previous_block_state()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Full);
        var model = new ChainModel(Seed);
        for (var i = 0; i < 4; i++)
        {
            var delta = model.NextBlock(maxTransactions: 10);
            await store.ConnectBlockAsync(delta, lease);
            model.Apply(delta);
        }
        await store.ReleaseLeaseAsync(lease);
        var before = await store.DumpAsync();
        var victim = model.Scripthashes.First(s => model.CoinsOf(s).Count > 0);

        using (var child = CrashWriter.Start(RawOptions, victim))
        {
            var stderr = child.StandardError.ReadToEndAsync();
            string? line;
            try
            {
                line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(3));
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }
            Assert.True(line == "READY", $"the crash writer did not reach its transaction: '{line}' {await stderr}");
        }

        var reopened = await OpenAsync();
        AssertSameDump(before, await reopened.DumpAsync());
        Assert.Equal(model.Tip, await reopened.GetTipAsync());

        // The dead writer's lease (judged by the database clock) is taken over once expired; writing resumes.
        Clock.Advance(TimeSpan.FromHours(1));
        var next = await reopened.TryAcquireLeaseAsync("survivor", TimeSpan.FromMinutes(10));
        Assert.NotNull(next);
        var block = model.NextBlock();
        await reopened.ConnectBlockAsync(block, next);
        model.Apply(block);
        await AssertMatchesModelAsync(reopened, model, IndexMode.Full);
    }

    [StoreFact]
    public async Task A_loader_killed_mid_load_leaves_an_unserved_loading_state_that_an_abort_clears()
    {
        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        await store.ReleaseLeaseAsync(lease);
        var schemaBefore = await SchemaAsync();

        using (var child = CrashLoader.Start(RawOptions))
        {
            var stderr = child.StandardError.ReadToEndAsync();
            string? line;
            try
            {
                line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(3));
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }
            Assert.True(line == "READY", $"the crash loader did not reach its third batch: '{line}' {await stderr}");
        }

        // After the restart: the interrupted load is recorded with what it committed, and nothing is served.
        var reopened = await OpenAsync();
        var status = await reopened.GetBulkLoadStatusAsync();
        Assert.NotNull(status);
        Assert.Equal(BulkLoadState.Loading, status.State);
        Assert.Equal(CrashLoader.Target(), status.Target);
        Assert.Equal(2 * CrashLoader.Batch, status.CoinsAdded);
        await Assert.ThrowsAsync<StoreLoadingException>(() => reopened.GetTipAsync());
        await Assert.ThrowsAsync<StoreLoadingException>(() => reopened.GetCoinsAsync([CrashLoader.Snapshot()[0].OutPoint]));
        await Assert.ThrowsAsync<StoreLoadingException>(() => reopened.GetBalanceAsync(Hash256.Zero));

        // Once the dead loader's lease expired, the next holder aborts the load and loads again from scratch.
        Clock.Advance(TimeSpan.FromHours(1));
        var next = (await reopened.TryAcquireLeaseAsync("survivor", TimeSpan.FromMinutes(10)))!;
        await Assert.ThrowsAsync<StoreLoadingException>(() => reopened.BeginBulkLoadAsync(CrashLoader.Target(), next));
        Assert.True(await reopened.AbortBulkLoadAsync(next));
        Assert.Null(await reopened.GetBulkLoadStatusAsync());
        Assert.Equal(new CoinStats(0, 0), await reopened.GetCoinStatsAsync());
        Assert.Equal(schemaBefore, await SchemaAsync());

        var loader = await reopened.BeginBulkLoadAsync(CrashLoader.Target(), next);
        await loader.AddHeadersAsync(0, CrashLoader.Headers());
        var coins = CrashLoader.Snapshot();
        await loader.AddAsync(coins.ToArray());
        await loader.CompleteAsync();
        Assert.Equal(new CoinStats(coins.Count, coins.Sum(c => c.Value)), await reopened.GetCoinStatsAsync());
        Assert.Equal(new Chain.Blocks.ChainTip(CrashLoader.BaseHeight, CrashLoader.Target().BaseHash), await reopened.GetTipAsync());
    }
}
