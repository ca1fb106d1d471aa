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
}
