using Coinshard.Backends.Core;
using Coinshard.Backends.Routing;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport;

using Xunit;

namespace Coinshard.Backends.Tests.Routing;

/// <summary>Refused router configurations, each with its own error. No node is needed: nothing is called.</summary>
public sealed class RouterConfigurationTests : IDisposable
{
    private readonly List<CoreRpcBackend> _backends = [];

    [Fact]
    public void A_router_without_backends_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new BackendRouter(Network.LitecoinRegtest, []));
        Assert.Contains("needs at least one backend", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_backend_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new BackendRouter(Network.LitecoinRegtest, [Unreachable(), null!]));
        Assert.Contains("backend #1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_backends_with_one_name_are_refused()
    {
        var backend = Unreachable();
        var e = Assert.Throws<ArgumentException>(() => new BackendRouter(Network.LitecoinRegtest, [backend, backend]));
        Assert.Contains($"named '{backend.Name}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backend_of_another_currency_is_refused()
    {
        var bitcoin = Unreachable(Network.BitcoinRegtest);
        var e = Assert.Throws<BackendNetworkMismatchException>(() => new BackendRouter(Network.LitecoinRegtest, [Unreachable(), bitcoin]));
        Assert.Same(Network.BitcoinRegtest, e.Actual);
        Assert.Equal($"backend {bitcoin.Name} is on bitcoin-regtest (its configured network, refused by the litecoin-regtest router), but litecoin-regtest is configured", e.Message);
    }

    [Theory]
    [InlineData(nameof(BackendRouterOptions.Rounds))]
    [InlineData(nameof(BackendRouterOptions.FailureThreshold))]
    [InlineData(nameof(BackendRouterOptions.CoolDown))]
    [InlineData(nameof(BackendRouterOptions.RetryBaseDelay))]
    [InlineData(nameof(BackendRouterOptions.RetryMaxDelay))]
    [InlineData(nameof(BackendRouterOptions.BroadcastMode))]
    public void Out_of_range_options_are_refused_naming_the_option(string option)
    {
        var options = option switch
        {
            nameof(BackendRouterOptions.Rounds) => new BackendRouterOptions { Rounds = 0 },
            nameof(BackendRouterOptions.FailureThreshold) => new BackendRouterOptions { FailureThreshold = 0 },
            nameof(BackendRouterOptions.CoolDown) => new BackendRouterOptions { CoolDown = TimeSpan.FromSeconds(-1) },
            nameof(BackendRouterOptions.RetryBaseDelay) => new BackendRouterOptions { RetryBaseDelay = TimeSpan.FromSeconds(-1) },
            nameof(BackendRouterOptions.RetryMaxDelay) => new BackendRouterOptions { RetryMaxDelay = TimeSpan.FromMilliseconds(1) },
            _ => new BackendRouterOptions { BroadcastMode = (BroadcastMode)42 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BackendRouter(Network.LitecoinRegtest, [Unreachable()], options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public async Task A_disposed_router_refuses_calls()
    {
        var router = new BackendRouter(Network.LitecoinRegtest, [Unreachable()]);
        await router.DisposeAsync();
        await router.DisposeAsync(); // twice is fine
        await Assert.ThrowsAsync<ObjectDisposedException>(() => router.GetChainStateAsync());
    }

    [Fact]
    public async Task The_router_reports_the_union_of_its_backends_capabilities_and_starts_unknown()
    {
        var reduced = new ChainAndFeesBackend(Unreachable(), new BackendCapabilities { CanEstimateFee = true });
        await using var router = new BackendRouter(Network.LitecoinRegtest, [reduced]);
        Assert.Equal(new BackendCapabilities { CanEstimateFee = true }, router.Capabilities);
        await using var both = new BackendRouter(Network.LitecoinRegtest, [reduced, Unreachable()]);
        Assert.Equal(Unreachable().Capabilities, both.Capabilities);
        Assert.Equal(BackendHealthStatus.Unknown, both.Health.Status);
        Assert.Equal("router litecoin-regtest", both.Name);
        var status = both.GetStatus();
        Assert.Equal([0, 1], status.Backends.Select(b => b.Priority));
        Assert.Null(status.ChainSource);
        Assert.Empty(status.LastAnsweredBy);
    }

    public void Dispose()
    {
        foreach (var backend in _backends)
        {
            backend.Dispose();
        }
    }

    private CoreRpcBackend Unreachable(Network? network = null)
    {
        var backend = CoreRpcBackend.Create(
            network ?? Network.LitecoinRegtest,
            new CoreRpcOptions { Url = new Uri($"http://127.0.0.1:{FreePorts.Next()}/"), Credentials = RpcCredentials.FromUserPassword("u", "p") });
        _backends.Add(backend);
        return backend;
    }
}
