using Coinshard.Backends.Core;
using Coinshard.Backends.Routing;
using Coinshard.Backends.Tests.Core;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Microsoft.Extensions.Logging;

using Xunit;

namespace Coinshard.Backends.Tests.Routing;

/// <summary>Two connected real nodes behind one router, the first preferred; each test gets its own, as it stops one.</summary>
internal sealed class FailoverPair : IAsyncDisposable
{
    private FailoverPair(LitecoindNode preferred, LitecoindNode fallback)
    {
        (Preferred, Fallback) = (preferred, fallback);
        A = CoreRpcBackend.Create(Network.LitecoinRegtest, RouterNodesFixture.QuickOptions(RegtestChainFixture.RpcOptions(preferred)), loggerFactory: Logs);
        B = CoreRpcBackend.Create(Network.LitecoinRegtest, RouterNodesFixture.QuickOptions(RegtestChainFixture.RpcOptions(fallback)), loggerFactory: Logs);
        // A short cool-down, so the restarted node is probed soon; nothing below depends on how soon.
        Router = new BackendRouter(
            Network.LitecoinRegtest,
            [A, B],
            new BackendRouterOptions { CoolDown = TimeSpan.FromMilliseconds(200), RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(50) },
            Logs.CreateLogger<BackendRouter>());
    }

    public CapturingLoggerFactory Logs { get; } = new();

    public LitecoindNode Preferred { get; }

    public LitecoindNode Fallback { get; }

    public CoreRpcBackend A { get; }

    public CoreRpcBackend B { get; }

    public BackendRouter Router { get; }

    public static async Task<FailoverPair> StartAsync()
    {
        var nodes = await Task.WhenAll(
            LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "preferred", Wallet = false }),
            LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "fallback", Wallet = false }));
        try
        {
            await nodes[1].ConnectToAsync(nodes[0]);
            await nodes[0].MineAsync(5);
            await LitecoindNode.SyncAsync(nodes);
            await nodes[0].FlushAsync(); // a kill must not lose these blocks
            return new FailoverPair(nodes[0], nodes[1]);
        }
        catch
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        A.Dispose();
        B.Dispose();
        Logs.Dispose();
        await Task.WhenAll(Preferred.DisposeAsync().AsTask(), Fallback.DisposeAsync().AsTask());
    }
}

/// <summary>Two real nodes, one of which dies mid-test: failover, out of service, and return to service after a restart.</summary>
public sealed class RouterFailoverTests
{
    [Fact]
    public async Task Calls_fail_over_when_the_preferred_node_is_killed_and_it_returns_to_service_after_it_restarts()
    {
        await using var pair = await FailoverPair.StartAsync();
        var (router, a, b, logs) = (pair.Router, pair.A, pair.B, pair.Logs);
        var before = await router.GetChainStateAsync();
        Assert.Equal(5, before.Tip.Height);
        Assert.Equal(a.Name, router.GetStatus().ChainSource);

        await pair.Preferred.KillAsync();

        // Same chain from the fallback, without the caller noticing.
        var during = await router.GetChainStateAsync();
        Assert.Equal(before.Tip, during.Tip);
        var block = await router.GetBlockAsync(during.Tip.Hash);
        Assert.Equal(await pair.Fallback.Rpc.CallStringAsync("getblock", during.Tip.Hash.ToString(), 0), Convert.ToHexStringLower(block));
        var status = router.GetStatus();
        Assert.Equal(b.Name, status.ChainSource);
        Assert.Equal(b.Name, status.LastAnsweredBy[nameof(IBlockSource.GetBlockAsync)]);
        var down = status.Of(a);
        Assert.NotEqual(CircuitState.Closed, down.Circuit);
        Assert.Equal(BackendHealthStatus.Unhealthy, down.Health.Status);
        Assert.Contains("unavailable", down.Health.LastError, StringComparison.Ordinal);
        Assert.Equal(1, down.Failures);
        Assert.Contains(logs.Entries, l => l.EventId.Id == 102); // "out of service"

        // While it is down, calls are not sent to it (its probes run in the background).
        await router.GetRelayFeeAsync();
        await router.GetMempoolInfoAsync();
        Assert.Equal(down.Calls, router.GetStatus().Of(a).Calls);
        Assert.Equal(b.Name, router.GetStatus().LastAnsweredBy[nameof(IFeeEstimator.GetRelayFeeAsync)]);

        await pair.Preferred.StartAgainAsync();
        // The probe closes the circuit, then logs "back in service" (103): wait for both.
        await Eventually.TrueAsync(
            () => router.GetStatus().Of(a).Circuit == CircuitState.Closed && logs.Entries.Any(l => l.EventId.Id == 103),
            "a probe has found the restarted node, returned it to service and said so");
        Assert.True(router.GetStatus().Of(a).Probes >= 1);

        // Back in service: preferred again for ordinary calls...
        await router.GetRelayFeeAsync();
        Assert.Equal(a.Name, router.GetStatus().LastAnsweredBy[nameof(IFeeEstimator.GetRelayFeeAsync)]);
        // ...but a catch-up in progress keeps reading the chain from the fallback while it is healthy...
        await router.GetBlockHashAsync(3);
        Assert.Equal(b.Name, router.GetStatus().LastAnsweredBy[nameof(IChainInfo.GetBlockHashAsync)]);
        // ...until the next wait for a tip, which goes to the preferred source and makes it the chain source.
        var tip = await router.WaitForNewTipAsync(Hash256.Zero, TimeSpan.Zero);
        Assert.Equal(before.Tip, tip);
        await router.GetBlockAsync(tip.Hash);
        status = router.GetStatus();
        Assert.Equal(a.Name, status.ChainSource);
        Assert.Equal(a.Name, status.LastAnsweredBy[nameof(IBlockSource.GetBlockAsync)]);
        Assert.Equal(BackendHealthStatus.Healthy, status.Health.Status);
    }

    [Fact]
    public async Task A_wait_for_a_new_tip_moves_to_the_fallback_when_the_preferred_node_stops_mid_wait()
    {
        await using var pair = await FailoverPair.StartAsync();
        var (router, a, b) = (pair.Router, pair.A, pair.B);
        var tip = (await router.GetChainStateAsync()).Tip;

        var waiting = router.WaitForNewTipAsync(tip.Hash, TimeSpan.FromMinutes(5));
        await pair.Preferred.WaitForActiveCommandAsync("waitfornewblock");
        await pair.Preferred.StopAsync();
        // Whether the router is already waiting on the fallback or not yet, the fallback's new block is the answer.
        var mined = (await pair.Fallback.MineAsync(1))[0];

        var newTip = await waiting;
        Assert.Equal(mined, newTip.Hash.ToString());
        Assert.Equal(tip.Height + 1, newTip.Height);
        var status = router.GetStatus();
        Assert.Equal(b.Name, status.ChainSource);
        Assert.Equal(b.Name, status.LastAnsweredBy[nameof(IBlockSource.WaitForNewTipAsync)]);
        Assert.NotEqual(CircuitState.Closed, status.Of(a).Circuit);
    }
}
