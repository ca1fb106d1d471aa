using System.Text.Json;

using Coinshard.Backends.Core;
using Coinshard.Backends.Routing;
using Coinshard.Chain;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Backends.Tests.Routing;

/// <summary>Which adapter answers what, against two real regtest nodes: capabilities, dead and misconfigured adapters, refusals, lagging nodes.</summary>
public class RouterRoutingTests(RouterNodesFixture f) : IClassFixture<RouterNodesFixture>
{
    [Fact]
    public async Task An_adapter_on_a_closed_port_is_taken_out_of_service_and_the_next_one_answers()
    {
        var dead = f.ClosedPortBackend();
        var live = f.Backend(f.Primary);
        await using var router = f.Router(null, dead, live);

        var state = await router.GetChainStateAsync();

        Assert.Equal(await f.Primary.GetBlockCountAsync(), state.Tip.Height);
        var status = router.GetStatus();
        Assert.Equal(live.Name, status.LastAnsweredBy[nameof(IChainInfo.GetChainStateAsync)]);
        Assert.Equal(live.Name, status.ChainSource);
        var deadStatus = status.Of(dead);
        Assert.Equal(CircuitState.Open, deadStatus.Circuit);
        Assert.Equal(BackendHealthStatus.Unhealthy, deadStatus.Health.Status);
        Assert.Contains("connection failed", deadStatus.Health.LastError, StringComparison.Ordinal);
        Assert.Equal((1, 1, 0L), (deadStatus.Calls, deadStatus.Failures, deadStatus.Answered));
        Assert.Equal(BackendHealthStatus.Healthy, status.Health.Status);

        // Out of service: later calls do not go to it while another adapter answers.
        await router.GetBlockHashAsync(1);
        await router.GetRelayFeeAsync();
        Assert.Equal(1, router.GetStatus().Of(dead).Calls);
        Assert.Equal(3, router.GetStatus().Of(live).Answered);
    }

    [Fact]
    public async Task A_routed_call_says_which_adapter_answered_and_which_failed_before_it()
    {
        var dead = f.ClosedPortBackend();
        var live = f.Backend(f.Primary);
        await using var router = f.Router(null, dead, live);

        var routed = await router.RouteAsync<CoreRpcBackend, long>(
            "getblockcount", async (b, ct) => (await b.Rpc.CallAsync(new RpcRequest("getblockcount"), cancellationToken: ct)).GetInt64());

        Assert.Equal(await f.Primary.GetBlockCountAsync(), routed.Value);
        Assert.Equal(live.Name, routed.AnsweredBy);
        var failure = Assert.Single(routed.Failures);
        Assert.Equal(dead.Name, failure.Backend);
        Assert.IsType<BackendUnavailableException>(failure.Error);
        Assert.Equal(live.Name, router.GetStatus().LastAnsweredBy["getblockcount"]);
    }

    [Fact]
    public async Task With_every_adapter_down_the_call_fails_after_the_configured_rounds_naming_each_failure()
    {
        var dead = f.ClosedPortBackend();
        await using var router = f.Router(RouterNodesFixture.LongCoolDown with { Rounds = 3 }, dead);

        var e = await Assert.ThrowsAsync<AllBackendsFailedException>(() => router.GetMempoolInfoAsync());

        Assert.Equal(nameof(IMempoolSource.GetMempoolInfoAsync), e.Operation);
        Assert.Equal(3, e.Failures.Count); // one per round: a lone adapter is its own last resort
        Assert.All(e.Failures, failure => Assert.IsType<BackendUnavailableException>(failure.Error));
        Assert.Contains(dead.Name, e.Message, StringComparison.Ordinal);
        // The same failure three times is said once, with its count.
        Assert.Equal(1, e.Message.Split(e.Failures[0].Error.Message).Length - 1);
        Assert.EndsWith(" (3 attempts)", e.Message, StringComparison.Ordinal);
        Assert.Equal(BackendHealthStatus.Unhealthy, router.Health.Status);
        Assert.Equal(3, router.GetStatus().Of(dead).Failures);
    }

    [Fact]
    public async Task Wrong_credentials_take_an_adapter_out_of_service_and_its_status_shows_no_secret()
    {
        const string Password = "Router-Status-Secret-0815";
        var wrong = f.WrongPasswordBackend(f.Primary, Password);
        var live = f.Backend(f.Secondary);
        await using var router = f.Router(null, wrong, live);

        await router.GetMempoolInfoAsync();

        var status = router.GetStatus();
        Assert.Equal(live.Name, status.LastAnsweredBy[nameof(IMempoolSource.GetMempoolInfoAsync)]);
        var wrongStatus = status.Of(wrong);
        Assert.Equal(CircuitState.Open, wrongStatus.Circuit);
        Assert.Contains("wrong RPC user/password", wrongStatus.Health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, status.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, wrongStatus.Health.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, router.Health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, f.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_adapter_configured_for_another_network_is_refused_at_construction()
    {
        var mainnet = f.Backend(f.Primary, Network.LitecoinMainnet);

        var e = Assert.Throws<BackendNetworkMismatchException>(() => f.Router(null, f.Backend(f.Secondary), mainnet));

        Assert.Same(Network.LitecoinRegtest, e.Configured);
        Assert.Same(Network.LitecoinMainnet, e.Actual);
        Assert.Equal(mainnet.Name, e.Endpoint);
        Assert.Contains("litecoin-mainnet", e.Message, StringComparison.Ordinal);
        Assert.Contains("litecoin-regtest", e.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_adapter_whose_node_turns_out_to_be_on_another_chain_is_a_backend_failure()
    {
        // Configured for Bitcoin regtest (so the router accepts it), but the node is Litecoin regtest.
        var misplaced = f.Backend(f.Primary, Network.BitcoinRegtest);
        await using var router = new BackendRouter(Network.BitcoinRegtest, [misplaced], RouterNodesFixture.LongCoolDown with { Rounds = 1 });

        var e = await Assert.ThrowsAsync<AllBackendsFailedException>(() => router.GetChainStateAsync());

        var mismatch = Assert.IsType<BackendNetworkMismatchException>(Assert.Single(e.Failures).Error);
        Assert.Same(Network.LitecoinRegtest, mismatch.Actual);
        Assert.Equal(CircuitState.Open, router.GetStatus().Of(misplaced).Circuit);
    }

    [Fact]
    public async Task Adapters_lacking_an_interface_or_a_capability_flag_are_skipped()
    {
        var full = f.Backend(f.Secondary);
        var reduced = new ChainAndFeesBackend(f.Backend(f.Primary));
        var noEstimates = new ChainAndFeesBackend(f.Backend(f.Primary), new BackendCapabilities { CanEstimateFee = false });
        await using var router = f.Router(null, reduced, full);
        await using var flagRouter = f.Router(null, noEstimates, full);

        // The reduced adapter is preferred for what it has...
        Assert.Equal(new FeeRate(1000), await router.GetRelayFeeAsync());
        Assert.Equal(reduced.Name, router.GetStatus().LastAnsweredBy[nameof(IFeeEstimator.GetRelayFeeAsync)]);
        // ...and skipped for what it lacks: scans, mempool, blocks.
        var address = await f.Primary.NewAddressAsync();
        var scan = await router.ScanAsync([new ScanObject($"addr({address})")]);
        Assert.Empty(scan.Unspents);
        await router.GetMempoolTxidsAsync();
        var tip = (await router.GetChainStateAsync()).Tip;
        await router.GetBlockAsync(tip.Hash);
        var status = router.GetStatus();
        Assert.Equal(full.Name, status.LastAnsweredBy[nameof(IDescriptorScanner.ScanAsync)]);
        Assert.Equal(full.Name, status.LastAnsweredBy[nameof(IMempoolSource.GetMempoolTxidsAsync)]);
        Assert.Equal(full.Name, status.LastAnsweredBy[nameof(IBlockSource.GetBlockAsync)]);
        Assert.Equal(2, status.Of(reduced).Calls); // relay fee and chain state only
        Assert.Equal(["IChainInfo", "IFeeEstimator"], status.Of(reduced).Interfaces);

        // An adapter with the interface but without the flag is skipped for that call only.
        await flagRouter.EstimateFeeAsync(6);
        await flagRouter.GetRelayFeeAsync();
        var flagStatus = flagRouter.GetStatus();
        Assert.Equal(full.Name, flagStatus.LastAnsweredBy[nameof(IFeeEstimator.EstimateFeeAsync)]);
        Assert.Equal(noEstimates.Name, flagStatus.LastAnsweredBy[nameof(IFeeEstimator.GetRelayFeeAsync)]);
        Assert.Equal(1, flagStatus.Of(noEstimates).Calls);
    }

    [Fact]
    public async Task When_no_adapter_can_do_an_operation_the_error_names_it_and_why_each_was_skipped()
    {
        var reduced = new ChainAndFeesBackend(f.Backend(f.Primary), new BackendCapabilities { CanEstimateFee = false });
        await using var router = f.Router(null, reduced);

        var scan = await Assert.ThrowsAsync<BackendCapabilityException>(() => router.ScanAsync([new ScanObject("raw(51)")]));
        Assert.Equal(nameof(IDescriptorScanner.ScanAsync), scan.Operation);
        Assert.Equal($"{reduced.Name} does not implement IDescriptorScanner", Assert.Single(scan.Reasons));
        Assert.Contains("no litecoin-regtest backend can do ScanAsync", scan.Message, StringComparison.Ordinal);

        var estimate = await Assert.ThrowsAsync<BackendCapabilityException>(() => router.EstimateFeeAsync(2));
        Assert.StartsWith($"{reduced.Name} lacks fee-estimates", Assert.Single(estimate.Reasons), StringComparison.Ordinal);

        await Assert.ThrowsAsync<BackendCapabilityException>(() => router.BroadcastAsync(new byte[] { 1 }));
        await Assert.ThrowsAsync<BackendCapabilityException>(() => router.GetBlockAsync(Hash256.Zero));
        Assert.Equal(0, router.GetStatus().Of(reduced).Calls);
    }

    [Fact]
    public async Task A_consensus_rejection_is_the_answer_of_the_first_node_and_is_not_retried_elsewhere()
    {
        var first = f.Backend(f.Primary);
        var second = f.Backend(f.Secondary);
        await using var router = f.Router(null, first, second);
        var phantom = await f.PhantomSpendAsync();

        var rejected = await Assert.ThrowsAsync<TransactionMissingInputsException>(() => router.BroadcastAsync(phantom));
        await Assert.ThrowsAsync<TransactionDecodeException>(() => router.BroadcastAsync(new byte[] { 0x00, 0xff }));

        Assert.Contains("missingorspent", rejected.Reason, StringComparison.Ordinal);
        var status = router.GetStatus();
        Assert.Equal((2, 2, 0L), (status.Of(first).Calls, status.Of(first).Answered, status.Of(first).Failures));
        Assert.Equal(0, status.Of(second).Calls);
        Assert.Equal(CircuitState.Closed, status.Of(first).Circuit);
    }

    [Fact]
    public async Task An_rpc_error_and_caller_errors_are_not_retried_elsewhere_either()
    {
        var first = f.Backend(f.Primary);
        var second = f.Backend(f.Secondary);
        await using var router = f.Router(null, first, second);

        // The node refuses a malformed parameter: the node's RPC error, once.
        var rpc = await Assert.ThrowsAsync<RpcException>(() => router.RouteAsync<CoreRpcBackend, JsonElement>(
            "getblock", (b, ct) => b.Rpc.CallAsync(new RpcRequest("getblock", ["00"]), cancellationToken: ct)));
        Assert.Equal(-8, rpc.Code);
        // Bad input never reaches a second adapter, and no adapter is blamed.
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => router.GetBlockHashAsync(-1));
        await Assert.ThrowsAnyAsync<ChainFormatException>(() => router.GetAddressUtxosAsync(["not-an-address"]));
        await Assert.ThrowsAsync<ArgumentException>(() => router.BroadcastAsync(ReadOnlyMemory<byte>.Empty));

        var status = router.GetStatus();
        Assert.Equal(0, status.Of(second).Calls);
        Assert.Equal(0, status.Of(first).Failures);
        Assert.Equal(CircuitState.Closed, status.Of(first).Circuit);
    }

    [Fact]
    public async Task A_block_a_lagging_node_lacks_is_fetched_from_the_next_and_an_unknown_one_is_not_found_anywhere()
    {
        var lagging = f.Backend(f.Secondary);
        var ahead = f.Backend(f.Primary);
        await using var router = f.Router(null, lagging, ahead);
        await f.Primary.DisconnectFromAsync(f.Secondary);
        string mined;
        try
        {
            mined = (await f.Primary.MineAsync(1))[0];
            var block = await router.GetBlockAsync(Hash256.Parse(mined));

            Assert.Equal(await f.Primary.Rpc.CallStringAsync("getblock", mined, 0), Convert.ToHexStringLower(block));
            var status = router.GetStatus();
            Assert.Equal(ahead.Name, status.LastAnsweredBy[nameof(IBlockSource.GetBlockAsync)]);
            Assert.Equal(1, status.Of(lagging).NotFound);
            Assert.Equal(CircuitState.Closed, status.Of(lagging).Circuit); // it answered: healthy, just behind
            Assert.Equal(BackendHealthStatus.Healthy, status.Of(lagging).Health.Status);
            Assert.Equal(ahead.Name, status.ChainSource);

            // The next chain read sticks to the adapter that answered, though the lagging one is preferred.
            var header = await router.GetBlockHeaderAsync(Hash256.Parse(mined));
            Assert.Equal(block.AsSpan(0, 80).ToArray(), header);
            Assert.Equal(1, router.GetStatus().Of(lagging).Calls);
        }
        finally
        {
            await f.Secondary.ConnectToAsync(f.Primary);
            await LitecoindNode.SyncAsync(f.Primary, f.Secondary);
        }

        var unknown = Hash256.Parse(new string('b', 64));
        var notFound = await Assert.ThrowsAsync<BlockNotFoundException>(() => router.GetBlockAsync(unknown));
        Assert.Equal(unknown.ToString(), notFound.BlockHash);
        Assert.Equal(2, router.GetStatus().Of(lagging).NotFound);
        Assert.Equal(1, router.GetStatus().Of(ahead).NotFound);
    }

    [Fact]
    public async Task Transactions_are_asked_of_indexed_adapters_first_and_null_means_nobody_knows()
    {
        var plain = f.Backend(f.Secondary);
        var indexed = f.Backend(f.Primary);
        await Task.WhenAll(plain.ConnectAsync(), indexed.ConnectAsync()); // capabilities are exact once connected
        await using var router = f.Router(null, plain, indexed);
        var confirmed = (await f.Primary.Rpc.CallAsync("listunspent", 1)).EnumerateArray().First().GetProperty("txid").GetString()!;

        var tx = await router.GetTransactionAsync(Hash256.Parse(confirmed));
        var json = await router.GetTransactionJsonAsync(Hash256.Parse(confirmed));

        Assert.Equal(await f.Primary.Rpc.CallStringAsync("getrawtransaction", confirmed, false), Convert.ToHexStringLower(tx!));
        Assert.Contains(confirmed, System.Text.Encoding.UTF8.GetString(json!), StringComparison.Ordinal);
        Assert.Equal(0, router.GetStatus().Of(plain).Calls);
        Assert.Equal(indexed.Name, router.GetStatus().LastAnsweredBy[nameof(ITransactionSource.GetTransactionAsync)]);

        Assert.Null(await router.GetTransactionAsync(Hash256.Parse(new string('c', 64))));
        var status = router.GetStatus();
        Assert.Equal((1, 1), (status.Of(indexed).NotFound, status.Of(plain).NotFound));
    }

    [Fact]
    public async Task Broadcast_to_all_reaches_every_node_and_reports_each()
    {
        var first = f.Backend(f.Primary);
        var second = f.Backend(f.Secondary);
        await using var router = f.Router(RouterNodesFixture.LongCoolDown with { BroadcastMode = BroadcastMode.All }, first, second);
        var (tx, txid) = await f.SignedSpendAsync();

        var report = await router.BroadcastWithReportAsync(tx, BroadcastMode.All);

        Assert.True(report.Accepted);
        Assert.Equal(txid, report.Txid?.ToString());
        Assert.Equal(2, report.Attempts.Count);
        Assert.All(report.Attempts, a => Assert.Equal((BroadcastOutcome.Accepted, txid), (a.Outcome, a.Txid?.ToString())));
        Assert.Equal(new[] { first.Name, second.Name }.Order(StringComparer.Ordinal), report.Attempts.Select(a => a.Backend).Order(StringComparer.Ordinal));

        // The IBroadcaster method in All mode: the id when accepted, the node's refusal when refused by all.
        var (another, anotherTxid) = await f.SignedSpendAsync();
        Assert.Equal(anotherTxid, (await router.BroadcastAsync(another)).ToString());
        Assert.Equal(2, router.GetStatus().Of(second).Answered);
        var phantom = await f.PhantomSpendAsync();
        var refusals = await router.BroadcastWithReportAsync(phantom, BroadcastMode.All);
        Assert.All(refusals.Attempts, a => Assert.IsType<TransactionMissingInputsException>(a.Error));
        Assert.False(refusals.Accepted);
        await Assert.ThrowsAsync<TransactionMissingInputsException>(() => router.BroadcastAsync(phantom));
    }

    [Fact]
    public async Task Broadcast_reports_a_dead_adapter_as_failed_then_skipped_and_first_success_fails_over()
    {
        var live = f.Backend(f.Primary);
        var dead = f.ClosedPortBackend();
        await using var all = f.Router(null, live, dead);

        var (tx, txid) = await f.SignedSpendAsync();
        var report = await all.BroadcastWithReportAsync(tx, BroadcastMode.All);
        Assert.Equal(txid, report.Txid?.ToString());
        Assert.Equal(live.Name, report.AcceptedBy);
        var failed = report.Attempts.Single(a => a.Backend == dead.Name);
        Assert.Equal(BroadcastOutcome.Failed, failed.Outcome);
        Assert.IsType<BackendUnavailableException>(failed.Error);

        var (second, _) = await f.SignedSpendAsync();
        var again = await all.BroadcastWithReportAsync(second, BroadcastMode.All);
        Assert.Equal(BroadcastOutcome.Skipped, again.Attempts.Single(a => a.Backend == dead.Name).Outcome);
        Assert.Equal(1, all.GetStatus().Of(dead).Calls);

        // First success, dead adapter preferred: it fails, the next accepts, the report lists both in order.
        var dead2 = f.ClosedPortBackend();
        await using var firstSuccess = f.Router(null, dead2, live);
        var (third, thirdTxid) = await f.SignedSpendAsync();
        var failover = await firstSuccess.BroadcastWithReportAsync(third, BroadcastMode.FirstSuccess);
        Assert.Equal([(dead2.Name, BroadcastOutcome.Failed), (live.Name, BroadcastOutcome.Accepted)], failover.Attempts.Select(a => (a.Backend, a.Outcome)));
        Assert.Equal(thirdTxid, failover.Txid?.ToString());
    }
}
